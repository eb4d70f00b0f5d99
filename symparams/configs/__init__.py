"""Transformer families read from Hugging Face ``config.json`` files (GPT-2, BERT, T5,
Llama, Mistral, Mixtral, Qwen2), and the arithmetic of the scaling papers on them."""

from .reader import ConfigModel, read_config, read_config_text

__all__ = ["ConfigModel", "read_config", "read_config_text"]
