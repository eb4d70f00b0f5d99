"""The Python API: write the model with symbols as sizes, then substitute."""

from symparams import Input, Sequential, layers, symbols

d, w, k = symbols("d w k")
model = Sequential([Input((d,)), layers.Dense(w, activation="relu"), layers.Dense(k)])

print(model.total_params)                              # d*w + k*w + k + w
print(model.subs(d=784, w=64, k=10).total_params)      # a number
model.summary()
