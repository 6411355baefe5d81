"""Sample programs of the NumPy rules: one rule (and a variant of its arguments) each.

A sample is ``(id, arguments, body)``: ``arguments`` maps parameter names to generators of
float64 inputs (seeded, inside the domain, away from kinks and ties); ``body`` is statements
separated by ``"; "`` whose last part is the expression under test."""
import numpy as np


def N(*shape):
    return lambda rng: rng.normal(size=shape)


def P(*shape):         # positive, away from zero
    return lambda rng: rng.uniform(0.5, 1.5, size=shape)


def U(*shape):         # inside (-1, 1)
    return lambda rng: rng.uniform(-0.9, 0.9, size=shape)


def S():               # a Python float
    return lambda rng: float(rng.normal())


def WELL(*shape):      # well-conditioned square matrices (a stack of them)
    n = shape[-1]
    return lambda rng: rng.normal(size=shape) * 0.3 + 2.0 * np.eye(n)


def SPD(*shape):       # symmetric positive definite
    n = shape[-1]

    def make(rng):
        m = rng.normal(size=shape) * 0.5
        return m @ np.swapaxes(m, -1, -2) + n * np.eye(n)
    return make


def DISTINCT(*shape):  # values far apart: no ties for max, min, sort
    def make(rng):
        v = rng.permutation(int(np.prod(shape))).reshape(shape).astype(float)
        return v * 0.5 + rng.uniform(-0.1, 0.1, size=shape)
    return make


X, Y = N(3, 4), N(3, 4)
X3 = N(2, 3, 4)
V, V2 = N(4), N(4)

SAMPLES = [
    # ---- reductions
    ("sum_axis", {"x": X}, "np.sum(x, axis=1)"),
    ("sum_keepdims", {"x": X}, "np.sum(x, axis=0, keepdims=True)"),
    ("sum_tuple_axis", {"x": X3}, "np.sum(x, axis=(0, 2))"),
    ("sum_method", {"x": X}, "x.sum(axis=-1)"),
    ("sum_of_list", {"x": V, "y": V2}, "t = [x, y * 2.0]; np.sum(t, axis=0)"),
    ("item", {"x": N(1, 1)}, "np.sin(x * 2.0).item() * 3.0"),
    ("dict_get", {"x": V, "y": V2}, "d = {'a': x}; d.get('a', y) * d.get('b', y)"),
    ("max_of_list", {"x": S(), "y": S()}, "max([x, y + 3.0, 2.0 * x - 3.0])"),
    ("min_of_list", {"x": S(), "y": S()}, "min([x, y + 3.0, 2.0 * x - 3.0])"),
    ("tuple_of_list", {"x": V, "y": V2}, "t = tuple([x, y * 2.0]); t[0] * t[1]"),
    ("list_of_tuple", {"x": V, "y": V2}, "t = list((x, y * 2.0)); t[1] - t[0] ** 2"),
    ("mean_and_sum_of_list", {"x": V, "y": V2},
     "t = [x, y * x]; np.mean(t, axis=0) * np.sum(t, axis=0)"),
    ("dict_get", {"x": V, "y": V2}, "d = {'a': x}; d.get('a', y) * d.get('b', y)"),
    ("max_of_list", {"x": DISTINCT(4), "y": DISTINCT(4)}, "t = [x, y + 0.25]; np.max(t, axis=0) + np.var(t)"),
    ("builtin_sum", {"x": V, "y": V2}, "sum([x, y, x * y])"),
    ("builtin_sum_start", {"x": V, "a": S()}, "sum([x, np.sin(x)], a)"),
    ("mean_axis", {"x": X}, "np.mean(x, axis=1)"),
    ("mean_method_tuple", {"x": X3}, "x.mean(axis=(0, 1), keepdims=True)"),
    ("max_axis", {"x": DISTINCT(3, 4)}, "np.max(x, axis=0)"),
    ("max_method", {"x": DISTINCT(3, 4)}, "x.max()"),
    ("min_method_axis", {"x": DISTINCT(3, 4)}, "x.min(axis=1)"),
    ("min_all", {"x": DISTINCT(3, 4)}, "np.min(x)"),
    ("amax_tuple", {"x": DISTINCT(2, 3, 4)}, "np.amax(x, axis=(0, 2))"),
    ("amin_keepdims", {"x": DISTINCT(3, 4)}, "np.amin(x, axis=1, keepdims=True)"),
    ("prod_axis", {"x": N(3, 4)}, "np.prod(x, axis=1)"),
    ("prod_tuple_keepdims", {"x": X3}, "np.prod(x, axis=(0, 2), keepdims=True)"),
    ("prod_method", {"x": N(3, 4)}, "x.prod(axis=0)"),
    ("var_axis", {"x": X}, "np.var(x, axis=0)"),
    ("var_ddof", {"x": X}, "np.var(x, ddof=1)"),
    ("var_method", {"x": X}, "x.var(axis=1, keepdims=True)"),
    ("std_axis", {"x": X}, "np.std(x, axis=1)"),
    ("std_tuple_ddof", {"x": X3}, "np.std(x, axis=(0, 2), ddof=1)"),
    ("var_tuple_keepdims", {"x": X3}, "np.var(x, axis=(1, 2), keepdims=True)"),
    ("std_method", {"x": X}, "x.std()"),
    ("cumsum_flat", {"x": X}, "np.cumsum(x)"),
    ("cumsum_axis", {"x": X}, "np.cumsum(x, axis=1)"),
    ("cumsum_negative_axis", {"x": X3}, "np.cumsum(x, axis=-2)"),
    ("cumsum_method", {"x": X}, "x.cumsum(axis=0)"),
    ("cumprod_axis", {"x": P(3, 4)}, "np.cumprod(x, axis=1)"),
    ("cumprod_flat", {"x": P(3, 4)}, "np.cumprod(x)"),
    ("cumprod_method", {"x": P(3, 4)}, "x.cumprod(axis=0)"),
    ("average_plain", {"x": X}, "np.average(x, axis=1)"),
    ("average_weights_axis", {"x": X, "w": P(3)}, "np.average(x, axis=0, weights=w)"),
    ("average_weights_full", {"x": X, "w": P(3, 4)}, "np.average(x, weights=w)"),
    ("average_keepdims", {"x": X, "w": P(4)}, "np.average(x, axis=1, weights=w, keepdims=True)"),
    ("nansum", {"x": X}, "np.nansum(x, axis=0)"),
    ("nanmean", {"x": X}, "np.nanmean(x, axis=1)"),
    ("gradient_1d", {"x": N(6)}, "np.gradient(x)"),
    ("gradient_spacing_edge2", {"x": N(6)}, "np.gradient(x, 0.5, edge_order=2)"),
    ("gradient_coordinates", {"x": N(5)},
     "np.gradient(x, np.array([0.0, 0.5, 1.5, 1.7, 3.0]))"),
    ("gradient_axis", {"x": X}, "np.gradient(x, axis=1)"),
    ("gradient_2d", {"x": X}, "g = np.gradient(x); g[0] * g[1]"),
    ("gradient_axes", {"x": X3}, "g = np.gradient(x, 2.0, axis=(0, 2)); g[1] + g[0] ** 2"),
    ("gradient_one_used", {"x": X}, "g = np.gradient(x, 0.5, 2.0); g[1]"),
    ("nan_to_num", {"x": X}, "np.nan_to_num(x) * x"),
    ("diff_last", {"x": X}, "np.diff(x)"),
    ("diff_n2_axis0", {"x": N(5, 3)}, "np.diff(x, n=2, axis=0)"),
    # ---- selection, sorting
    ("where", {"x": X, "y": Y}, "np.where(x > 0, x * y, np.sin(y))"),
    ("select", {"x": X, "y": Y},
     "c = [x < -0.5, x > 0.5]; ch = [x * y, np.sin(x)]; np.select(c, ch, default=y)"),
    ("clip_keywords", {"x": X, "y": Y}, "np.clip(x, a_min=-0.5, a_max=y)"),
    ("clip_none_bound", {"x": X}, "np.clip(x, None, 0.5)"),
    ("clip_numpy2_keyword", {"x": X, "y": Y}, "np.clip(x, min=y)"),
    ("clip_method", {"x": X}, "x.clip(-0.5, 0.5)"),
    ("clip_method_keyword", {"x": X, "y": Y}, "x.clip(max=y)"),
    ("take_along_last", {"x": N(3, 4)},
     "np.take_along_axis(x, np.array([[0, 3, 3], [1, 1, 2], [2, 0, 0]]), axis=1)"),
    ("take_along_axis0", {"x": N(3, 4)}, "np.take_along_axis(x, np.array([[2, 0, 1, 1]]), 0)"),
    ("take_along_flat", {"x": N(3, 4)}, "np.take_along_axis(x, np.array([5, 0, 5, 11]), None)"),
    ("take_along_broadcast", {"x": N(3, 1)},
     "np.take_along_axis(x, np.array([[0], [0], [0]]), 1) * np.ones((3, 4))"),
    ("sort_last", {"x": DISTINCT(3, 4)}, "np.sort(x)"),
    ("sort_axis0", {"x": DISTINCT(3, 4)}, "np.sort(x, axis=0)"),
    ("sort_flat", {"x": DISTINCT(3, 4)}, "np.sort(x, axis=None)"),
    # ---- creation with a differentiable fill value, dtype
    ("full", {"a": S()}, "np.full((3, 2), a)"),
    ("full_like", {"x": X, "a": S()}, "np.full_like(x, a) * x"),
    ("astype_float", {"x": X}, "x.astype(np.float64)"),
    ("astype_int", {"x": P(3, 4)}, "x * (x * 3.0).astype(int)"),
    # ---- shapes
    ("reshape", {"x": X}, "np.reshape(x, (4, 3))"),
    ("reshape_method_args", {"x": X}, "x.reshape(2, 6)"),
    ("reshape_method_tuple", {"x": X}, "x.reshape((12,))"),
    ("ravel", {"x": X}, "np.ravel(x)"),
    ("reshape_fortran", {"x": X}, "np.reshape(x, (2, 6), order='F')"),
    ("ravel_fortran", {"x": X}, "np.ravel(x, 'F')"),
    ("flatten_fortran", {"x": X3}, "x.flatten(order='F')"),
    ("ravel_method", {"x": X}, "x.ravel()"),
    ("flatten_method", {"x": X}, "x.flatten()"),
    ("squeeze_axis", {"x": N(3, 1, 4)}, "np.squeeze(x, axis=1)"),
    ("squeeze_method", {"x": N(3, 1, 4)}, "x.squeeze()"),
    ("expand_dims", {"x": X}, "np.expand_dims(x, 1)"),
    ("atleast_1d", {"a": S()}, "np.atleast_1d(a)"),
    ("atleast_2d", {"x": V}, "np.atleast_2d(x)"),
    ("atleast_3d_1d", {"x": V}, "np.atleast_3d(x)"),
    ("atleast_3d_2d", {"x": X}, "np.atleast_3d(x) * 2.0"),
    ("broadcast_to", {"x": V}, "np.broadcast_to(x, (3, 4))"),
    ("copy_method", {"x": X}, "x.copy()"),
    ("array_of_scalars", {"a": S(), "b": S()}, "np.array([a, b * a, 2.0])"),
    ("array_nested", {"a": S(), "b": S()}, "np.array([[a, b], [b * b, a]])"),
    ("array_of_arrays", {"x": V, "y": V2}, "np.array([x, y * x])"),
    ("array_of_array", {"x": X}, "np.array(x) * x"),
    ("asarray", {"x": X}, "np.asarray(x)"),
    ("copy_function", {"x": X}, "np.copy(x)"),
    ("copy_function_order", {"x": X3}, "np.copy(x, order='F') * x"),
    ("copy_of_a_scalar", {"a": S()}, "np.copy(a) * a"),
    ("copy_changed_in_place", {"x": X}, "q = np.copy(x); q *= x; q + x"),
    ("array_copy_keyword", {"x": X}, "np.array(x, copy=True) * x"),
    ("array_no_copy", {"x": X}, "np.array(x, copy=False) * 2.0"),
    ("asarray_copy_keyword", {"x": X}, "q = np.asarray(x, copy=True); q -= 0.5; q * x"),
    ("transpose", {"x": X}, "np.transpose(x)"),
    ("transpose_axes", {"x": X3}, "np.transpose(x, (1, 0, 2))"),
    ("attr_T", {"x": X}, "x.T"),
    ("transpose_method", {"x": X}, "x.transpose()"),
    ("transpose_method_args", {"x": X3}, "x.transpose(2, 0, 1)"),
    ("transpose_method_tuple", {"x": X3}, "x.transpose((1, 2, 0))"),
    ("swapaxes", {"x": X3}, "np.swapaxes(x, 0, 2)"),
    ("swapaxes_method", {"x": X3}, "x.swapaxes(1, 2)"),
    ("moveaxis", {"x": X3}, "np.moveaxis(x, 0, -1)"),
    ("flip_axis", {"x": X}, "np.flip(x, 0)"),
    ("flip_all", {"x": X}, "np.flip(x)"),
    ("fliplr", {"x": X}, "np.fliplr(x)"),
    ("flipud", {"x": X}, "np.flipud(x)"),
    ("roll_flat", {"x": X}, "np.roll(x, 1)"),
    ("roll_axes", {"x": X}, "np.roll(x, (1, 2), axis=(0, 1))"),
    ("rot90", {"x": X}, "np.rot90(x)"),
    ("rot90_k_axes", {"x": X3}, "np.rot90(x, 3, axes=(1, 2))"),
    ("rot90_negative", {"x": X}, "np.rot90(x, -1) * np.rot90(x, 1)"),
    ("rollaxis", {"x": X3}, "np.rollaxis(x, 2)"),
    ("rollaxis_forward", {"x": N(2, 3, 4, 5)}, "np.rollaxis(x, 0, 3)"),
    ("rollaxis_negative", {"x": X3}, "np.rollaxis(x, -1, 1)"),
    ("rollaxis_negative_start", {"x": N(2, 3, 4, 5)}, "np.rollaxis(x, 1, -1)"),
    ("partition", {"x": DISTINCT(3, 5)}, "np.partition(x, 2)"),
    ("partition_axis0", {"x": DISTINCT(4, 3)}, "np.partition(x, (1, 2), axis=0)"),
    ("partition_flat", {"x": DISTINCT(3, 4)}, "np.partition(x, 5, axis=None)"),
    ("pad_constant", {"x": X}, "np.pad(x, 1)"),
    ("pad_widths", {"x": X}, "np.pad(x, ((1, 0), (2, 3)))"),
    ("pad_constant_values", {"x": X, "c": S()}, "np.pad(x, (1, 2), constant_values=c)"),
    ("pad_1d", {"x": V}, "np.pad(x, (2, 1), 'constant')"),
    ("pad_edge", {"x": X}, "np.pad(x, 2, mode='edge')"),
    ("pad_reflect", {"x": X}, "np.pad(x, ((2, 1), (1, 3)), 'reflect')"),
    ("pad_symmetric", {"x": X3}, "np.pad(x, 1, mode='symmetric')"),
    ("pad_wrap", {"x": V}, "np.pad(x, 3, mode='wrap')"),
    ("bincount", {"w": N(6)}, "np.bincount(np.array([0, 2, 2, 1, 0, 4]), w)"),
    ("bincount_minlength", {"w": N(4)},
     "np.bincount(np.array([1, 1, 0, 3]), weights=w, minlength=6)"),
    ("tile_int", {"x": X}, "np.tile(x, 2)"),
    ("tile_tuple", {"x": X}, "np.tile(x, (2, 1, 3))"),
    ("repeat_flat", {"x": X}, "np.repeat(x, 2)"),
    ("repeat_counts", {"x": X}, "np.repeat(x, [1, 0, 3], axis=0)"),
    ("repeat_method", {"x": X}, "x.repeat(2, axis=1)"),
    ("concatenate_axis1", {"x": X, "y": N(3, 2)}, "np.concatenate([x, y], axis=1)"),
    ("concatenate_tuple", {"x": X, "y": Y}, "np.concatenate((x, np.sin(y)))"),
    ("concatenate_flat", {"x": X, "y": V}, "np.concatenate([x, y], axis=None)"),
    ("stack", {"x": X, "y": Y}, "np.stack([x, y], axis=1)"),
    ("hstack", {"x": X, "y": N(3, 2)}, "np.hstack([x, y])"),
    ("hstack_1d", {"x": V, "y": N(2)}, "np.hstack((x, y))"),
    ("vstack", {"x": V, "y": V2}, "np.vstack([x, y])"),
    ("split", {"x": N(2, 6)}, "parts = np.split(x, 3, axis=1); parts[0] * parts[2]"),
    ("array_split", {"x": N(7)}, "parts = np.array_split(x, 3); np.sum(parts[0]) * parts[2]"),
    ("hsplit", {"x": N(3, 6)}, "parts = np.hsplit(x, 3); parts[0] * parts[2]"),
    ("hsplit_1d", {"x": N(6)}, "parts = np.hsplit(x, [2, 5]); np.sum(parts[1]) * parts[0]"),
    ("vsplit", {"x": N(4, 3)}, "parts = np.vsplit(x, 2); parts[1] - parts[0] ** 2"),
    ("dsplit", {"x": N(2, 3, 4)}, "parts = np.dsplit(x, [1, 3]); parts[0] * parts[2]"),
    ("diag_build", {"x": V}, "np.diag(x)"),
    ("diag_build_offset", {"x": V}, "np.diag(x, -1)"),
    ("diag_extract", {"x": X}, "np.diag(x, 1)"),
    ("diagonal", {"x": X}, "np.diagonal(x)"),
    ("diagonal_axes", {"x": X3}, "np.diagonal(x, 1, 0, 2)"),
    ("diagonal_method", {"x": X}, "x.diagonal(offset=-1)"),
    ("trace", {"x": X}, "np.trace(x)"),
    ("trace_axes", {"x": X3}, "np.trace(x, axis1=1, axis2=2)"),
    ("trace_method", {"x": X}, "x.trace(1)"),
    ("triu", {"x": X}, "np.triu(x, 1)"),
    ("tril", {"x": X}, "np.tril(x)"),
    # ---- products
    ("dot_2_2", {"x": X, "y": N(4, 2)}, "np.dot(x, y)"),
    ("dot_2_1", {"x": X, "y": V}, "np.dot(x, y)"),
    ("dot_1_2", {"x": N(3), "y": X}, "np.dot(x, y)"),
    ("dot_1_1", {"x": V, "y": V2}, "np.dot(x, y)"),
    ("dot_3_2", {"x": X3, "y": N(4, 2)}, "np.dot(x, y)"),
    ("dot_method", {"x": X, "y": N(4, 2)}, "x.dot(y)"),
    ("matmul_operator", {"x": X, "y": N(4, 2)}, "x @ y"),
    ("matmul_batched", {"x": X3, "y": N(4, 5)}, "np.matmul(x, y)"),
    ("vdot", {"x": X, "y": Y}, "np.vdot(x, y)"),
    ("inner_1d", {"x": V, "y": V2}, "np.inner(x, y)"),
    ("inner_2d", {"x": X, "y": N(2, 4)}, "np.inner(x, y)"),
    ("outer", {"x": V, "y": N(3)}, "np.outer(x, y)"),
    ("tensordot_int", {"x": X3, "y": N(3, 4, 2)}, "np.tensordot(x, y, 2)"),
    ("tensordot_pairs", {"x": X3, "y": N(4, 5, 2)}, "np.tensordot(x, y, axes=([2, 0], [0, 2]))"),
    ("tensordot_crossed", {"x": X3, "y": N(4, 3, 5)}, "np.tensordot(x, y, axes=([1, 2], [1, 0]))"),
    ("tensordot_one", {"x": X, "y": N(5, 3)}, "np.tensordot(x, y, axes=([0], [1]))"),
    ("einsum_matmul", {"x": X, "y": N(4, 2)}, "np.einsum('ij,jk->ik', x, y)"),
    ("einsum_implicit", {"x": X, "y": N(4, 2)}, "np.einsum('ij,jk', x, y)"),
    ("einsum_full", {"x": X, "y": Y}, "np.einsum('ij,ij->', x, y)"),
    ("einsum_reduce", {"x": X}, "np.einsum('ij->j', x)"),
    ("einsum_broadcast_letter", {"x": X3, "y": N(3, 5)}, "np.einsum('ijk,jl->il', x, y)"),
    ("einsum_three", {"x": X, "y": N(4, 2), "z": N(2, 5)}, "np.einsum('ij,jk,kl->il', x, y, z)"),
    ("einsum_diagonal", {"x": N(3, 3)}, "np.einsum('ii->i', x)"),
    ("einsum_ellipsis", {"x": X3, "y": N(2, 4, 5)}, "np.einsum('...ij,...jk->...ik', x, y)"),
    ("cross", {"x": N(3), "y": N(3)}, "np.cross(x, y)"),
    ("cross_batched", {"x": N(4, 3), "y": N(3)}, "np.cross(x, y)"),
    ("kron_1d", {"x": V, "y": N(3)}, "np.kron(x, y)"),
    ("kron_2d", {"x": N(2, 3), "y": N(3, 2)}, "np.kron(x, y)"),
    ("kron_mixed", {"x": N(2, 2), "y": N(3)}, "np.kron(x, y)"),
    # ---- linalg
    ("inv", {"a": WELL(3, 3)}, "np.linalg.inv(a)"),
    ("inv_batched", {"a": WELL(2, 3, 3)}, "np.linalg.inv(a)"),
    ("solve_vector", {"a": WELL(3, 3), "b": N(3)}, "np.linalg.solve(a, b)"),
    ("solve_matrix", {"a": WELL(3, 3), "b": N(3, 2)}, "np.linalg.solve(a, b)"),
    ("solve_batched", {"a": WELL(2, 3, 3), "b": N(2, 3, 2)}, "np.linalg.solve(a, b)"),
    ("det", {"a": WELL(3, 3)}, "np.linalg.det(a)"),
    ("det_batched", {"a": WELL(2, 3, 3)}, "np.linalg.det(a)"),
    ("slogdet", {"a": WELL(3, 3)}, "r = np.linalg.slogdet(a); r[1]"),
    ("slogdet_batched", {"a": WELL(2, 3, 3)}, "r = np.linalg.slogdet(a); r[1] * r[0]"),
    ("cholesky", {"a": SPD(3, 3)}, "np.linalg.cholesky(a)"),
    ("cholesky_batched", {"a": SPD(2, 3, 3)}, "np.linalg.cholesky(a)"),
    ("eigh_values", {"a": SPD(3, 3)}, "r = np.linalg.eigh(a); r[0]"),
    ("eigh_vectors", {"a": SPD(3, 3)}, "r = np.linalg.eigh(a); r[1] * r[1] + r[0]"),
    ("eigh_batched", {"a": SPD(2, 3, 3)}, "r = np.linalg.eigh(a); np.abs(r[1][:, 0]) * r[0]"),
    ("norm_vector", {"x": V}, "np.linalg.norm(x)"),
    ("norm_fro_default", {"x": X}, "np.linalg.norm(x)"),
    ("norm_axis", {"x": X}, "np.linalg.norm(x, axis=1)"),
    ("norm_ord2_vector", {"x": V}, "np.linalg.norm(x, 2)"),
    ("norm_ord1_vector", {"x": V}, "np.linalg.norm(x, 1)"),
    ("norm_inf_vector", {"x": DISTINCT(5)}, "np.linalg.norm(x, np.inf)"),
    ("norm_neg_inf_vector", {"x": DISTINCT(5)}, "np.linalg.norm(x, -np.inf)"),
    ("norm_ord1_axis", {"x": X}, "np.linalg.norm(x, ord=1, axis=1)"),
    ("norm_fro", {"x": X}, "np.linalg.norm(x, 'fro')"),
    ("norm_axes_keepdims", {"x": X3}, "np.linalg.norm(x, axis=(0, 1), keepdims=True)"),
]

# ---- scipy.special (an optional extra: its rules and samples exist only when it imports)
try:
    import scipy.special
    import scipy.stats
    SCIPY = scipy
except ImportError:
    SCIPY = None
if SCIPY is not None:
    SAMPLES += [
        ("logsumexp_all", {"x": X}, "scipy.special.logsumexp(x)"),
        ("logsumexp_axis", {"x": X}, "scipy.special.logsumexp(x, axis=1)"),
        ("logsumexp_tuple_keepdims", {"x": X3},
         "scipy.special.logsumexp(x, axis=(0, 2), keepdims=True)"),
        ("logsumexp_b_axis", {"x": X, "b": P(4)}, "scipy.special.logsumexp(x, axis=0, b=b)"),
        ("logsumexp_b_keepdims", {"x": X, "b": P(3, 4)},
         "scipy.special.logsumexp(x, axis=-1, b=b, keepdims=True)"),
        ("softmax_axis", {"x": X}, "scipy.special.softmax(x, axis=1)"),
        ("softmax_all", {"x": X}, "scipy.special.softmax(x)"),
        ("log_softmax_axis", {"x": X3}, "scipy.special.log_softmax(x, axis=0)"),
        ("log_softmax_all", {"x": X}, "scipy.special.log_softmax(x)"),
        ("norm_logpdf", {"x": X, "m": S(), "s": P()}, "scipy.stats.norm.logpdf(x, m, s)"),
        ("norm_logpdf_default", {"x": V}, "scipy.stats.norm.logpdf(x)"),
        ("norm_pdf_keywords", {"x": X, "m": N(4), "s": P(3, 1)},
         "scipy.stats.norm.pdf(x, loc=m, scale=s)"),
        ("norm_cdf", {"x": X, "m": S(), "s": P()}, "scipy.stats.norm.cdf(x, m, s)"),
        ("mvn_logpdf", {"x": N(3), "m": N(3), "c": SPD(3, 3)},
         "scipy.stats.multivariate_normal.logpdf(x, m, c)"),
        ("mvn_logpdf_batch", {"x": N(4, 3), "m": N(3), "c": SPD(3, 3)},
         "scipy.stats.multivariate_normal.logpdf(x, mean=m, cov=c)"),
        ("mvn_logpdf_scalar_cov", {"x": N(4, 3), "m": N(3)},
         "scipy.stats.multivariate_normal.logpdf(x, m, 2.0)"),
        ("mvn_pdf", {"x": N(3), "m": N(3), "c": SPD(3, 3)},
         "scipy.stats.multivariate_normal.pdf(x, m, c)"),
    ]
