# A GPT-style decoder: token and position embeddings, n_layer pre-norm blocks of causal
# self-attention and a 4x feed-forward, a final layer norm. The output projection is tied
# to the token embedding (logits = x · Eᵀ), so it adds no parameters: GPT-2 small's sizes
# give its published 124,439,808.
# bindings: [{"vocab": 50257, "n_ctx": 1024, "d_model": 768, "n_layer": 12, "n_heads": 12}, {"vocab": 1000, "n_ctx": 64, "d_model": 64, "n_layer": 2, "n_heads": 4}, {"vocab": 300, "n_ctx": 16, "d_model": 48, "n_layer": 3, "n_heads": 6}]
import keras
from keras import layers


def decoder_block(x, d_model, n_heads):
    h = layers.LayerNormalization(epsilon=1e-5)(x)
    h = layers.MultiHeadAttention(num_heads=n_heads, key_dim=d_model // n_heads)(h, h, use_causal_mask=True)
    x = layers.Add()([x, h])
    h = layers.LayerNormalization(epsilon=1e-5)(x)
    h = layers.Dense(4 * d_model, activation="gelu")(h)
    h = layers.Dense(d_model)(h)
    return layers.Add()([x, h])


tokens = keras.Input(shape=(n_ctx,), dtype="int32", name="tokens")
positions = keras.Input(shape=(n_ctx,), dtype="int32", name="positions")
x = layers.Add()([layers.Embedding(vocab, d_model, name="wte")(tokens),
                  layers.Embedding(n_ctx, d_model, name="wpe")(positions)])
for _ in range(n_layer):
    x = decoder_block(x, d_model, n_heads)
x = layers.LayerNormalization(epsilon=1e-5, name="ln_f")(x)
model = keras.Model([tokens, positions], x, name="gpt")
