# MobileNet's depthwise-separable saving (Howard et al. 2017, section 3.1): a standard
# D_K×D_K convolution from M to N channels on a D_F×D_F feature map, against a depthwise
# D_K×D_K convolution followed by a 1×1 pointwise one. Both without biases, as in the paper.
#   symparams scale examples/depthwise_separable.py --model separable \
#       --compare examples/depthwise_separable.py:standard --flops
import keras
from keras import layers

inputs = keras.Input(shape=(D_F, D_F, M))
standard = keras.Model(inputs, layers.Conv2D(N, D_K, padding="same", use_bias=False)(inputs),
                       name="standard")
x = layers.DepthwiseConv2D(D_K, padding="same", use_bias=False)(inputs)
x = layers.Conv2D(N, 1, use_bias=False)(x)
separable = keras.Model(inputs, x, name="separable")
