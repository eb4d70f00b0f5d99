"""The names the PyTorch host knows by heart: a module's methods that change nothing it
counts, the checks a script makes of its machine, the names a snippet uses without
importing them, and the summary functions that run a forward pass."""

#: module methods ``__init__`` code calls that change nothing symparams counts
INERT_METHODS = {"apply", "eval", "train", "to", "cuda", "cpu", "float", "double", "half",
                 "bfloat16", "reset_parameters", "_reset_parameters", "_init_weights",
                 "zero_grad", "share_memory", "load_state_dict", "register_forward_hook",
                 "register_forward_pre_hook", "register_full_backward_hook"}
#: module methods whose result is outside the model (its weights' values, not their count)
OPAQUE_METHODS = {"state_dict", "get_extra_state"}

#: what a script asks of its machine before choosing a device
ACCELERATOR_CHECKS = ("torch.cuda.is_available", "torch.backends.mps.is_available",
                      "torch.backends.cudnn.is_available", "torch.accelerator.is_available",
                      "torch.xpu.is_available")

#: the names a snippet pasted without its imports uses for torch
SNIPPET_NAMES = {"torch": "torch", "nn": "torch.nn", "F": "torch.nn.functional"}
#: the summary functions of torchinfo and torchsummary, which run a forward pass
SUMMARY_FUNCTIONS = {"torchinfo.summary", "torchsummary.summary", "torchinfo.torchinfo.summary"}

#: the methods of a module that ``__init__`` code calls on it
MODULE_METHODS = {"register_buffer", "register_parameter", "add_module", "append", "extend",
                  "insert", "parameters", "buffers", "children", "modules", "named_parameters",
                  "named_modules", "named_children", "named_buffers", "requires_grad_", "keys",
                  "values", "items"}
