"""Keras's side: its layers, the model graph, the summary Keras prints, the worked solution
of a Keras model and its compute."""
