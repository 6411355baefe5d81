"""srcad: source-to-source automatic differentiation for Python and NumPy."""
from ._version import __version__ as __version__
from .api import grad, jvp, source, value_and_grad, vjp
from .checking import check_grad, check_rule
from .checkpointing import checkpointed
from .display import show
from .drawing import graph
from .errors import SrcadError, UsageError
from .matrices import hessian, hvp, jacobian
from .rules import constant, defelementwise, defrule, nondiff
from .rules.functions import defjvp, defvjp

__all__ = ["grad", "value_and_grad", "vjp", "jvp", "jacobian", "hessian", "hvp", "source",
           "check_grad", "SrcadError", "UsageError", "defrule", "defelementwise", "nondiff",
           "constant", "defvjp", "defjvp", "check_rule", "show", "checkpointed", "graph"]
