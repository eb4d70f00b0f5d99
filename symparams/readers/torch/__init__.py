"""PyTorch code read: the host that says what torch names mean (reader.py) and the tensor
functions a forward pass calls (ops.py)."""
