# A deep MLP with a free width: 1000 Dense layers.
import keras
from keras import layers

x = inputs = keras.Input(shape=(width,))
for i in range(1000):
    x = layers.Dense(width, activation="relu")(x)
model = keras.Model(inputs, x, name="mlp1000")
