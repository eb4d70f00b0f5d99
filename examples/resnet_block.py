# A ResNet basic block with a projection shortcut (He et al., 2016), as Keras code.
# `width` stays a free size: symparams html examples/resnet_block.py --subs width=64
import keras
from keras import layers

inputs = keras.Input(shape=(32, 32, 3), name="image")
x = layers.Conv2D(width, 3, padding="same", use_bias=False, name="conv_a")(inputs)
x = layers.BatchNormalization(name="bn_a")(x)
x = layers.ReLU(name="relu_a")(x)
x = layers.Conv2D(width, 3, padding="same", use_bias=False, name="conv_b")(x)
x = layers.BatchNormalization(name="bn_b")(x)
shortcut = layers.Conv2D(width, 1, use_bias=False, name="projection")(inputs)
shortcut = layers.BatchNormalization(name="bn_projection")(shortcut)
x = layers.Add(name="residual")([x, shortcut])
outputs = layers.ReLU(name="relu_out")(x)
model = keras.Model(inputs, outputs, name="resnet_block")
