# An MLP whose sizes are left free: the counts stay symbolic until you bind them,
#   symparams summary examples/mlp_symbolic.py --subs n_in=784 --subs width=128 --subs num_classes=10
import keras
from keras import layers

model = keras.Sequential([
    keras.Input(shape=(n_in,)),
    layers.Dense(width, activation="relu"),
    layers.Dense(width, activation="relu"),
    layers.Dense(num_classes, activation="softmax"),
])
