# A transformer encoder block with free sizes (try --subs d_model=512 --subs heads=8 ...).
import keras
from keras import layers


def encoder_block(x, d_model, heads, d_ff, name):
    attn = layers.MultiHeadAttention(num_heads=heads, key_dim=d_model // heads,
                                     name=f"{name}_attention")(x, x)
    x = layers.LayerNormalization(name=f"{name}_norm1")(layers.Add()([x, attn]))
    ff = layers.Dense(d_ff, activation="relu", name=f"{name}_ff1")(x)
    ff = layers.Dense(d_model, name=f"{name}_ff2")(ff)
    return layers.LayerNormalization(name=f"{name}_norm2")(layers.Add()([x, ff]))


tokens = keras.Input(shape=(seq_len,), name="tokens")
x = layers.Embedding(vocab, d_model, name="embedding")(tokens)
for i in range(2):
    x = encoder_block(x, d_model, 8, 4 * d_model, name=f"block{i}")
model = keras.Model(tokens, x, name="encoder")
