"""srcad: source-to-source automatic differentiation for Python and NumPy."""
from .api import grad, jacobian, jvp, source, value_and_grad, vjp
from .errors import SrcadError

__all__ = ["grad", "value_and_grad", "vjp", "jvp", "jacobian", "source", "SrcadError"]
