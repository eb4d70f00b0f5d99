# The CNN from "Keras CNN model parameters calculation" (Keras 1.1.1 code, as posted):
# where do the 51,264 parameters of the second convolution come from?
from keras.models import Sequential
from keras.layers import Convolution2D, Activation, MaxPooling2D, Dropout, Flatten, Dense
from keras.optimizers import SGD

input_shape = (28, 28, 1)

model = Sequential()
model.add(Convolution2D(32, 5, 5, input_shape=input_shape))
model.add(Activation('relu'))
model.add(MaxPooling2D(pool_size=(2, 2)))
model.add(Convolution2D(64, 5, 5))
model.add(Activation('relu'))
model.add(MaxPooling2D(pool_size=(2, 2)))
model.add(Dropout(0.25))
model.add(Flatten())
model.add(Dense(100))
model.add(Activation('relu'))
model.add(Dropout(0.5))
model.add((Dense(2)))
model.add(Activation('softmax'))
sgd = SGD(lr=1e-3, decay=1e-6, momentum=0.9, nesterov=True)
model.compile(loss='categorical_crossentropy', optimizer=sgd, metrics=['accuracy'])
print model.summary()
