'''Correct submissions written differently from the reference; each must get full marks.

ALTERNATIVES maps a name to a builder: reference source -> (file name, file bytes). Most builders splice
hand-written student functions into the reference; the others change the file as a whole (wrappers,
notebooks, encodings).
'''
import json

import nbformat

from grader.exercises import SIGNATURES

from .sources import function_sources, replace_functions, without_functions

GRADED = tuple(SIGNATURES)

SPLICED = {
    "at_operator_other_side": ('''
def linear_forward(A, W, b):
    Z = (A.T @ W.T).T + b
    return Z, (A, W, b)
''', '''
def linear_backward(dZ, cache):
    A_prev, W, b = cache
    m = A_prev.shape[1]
    dW = (A_prev @ dZ.T).T / m
    db = (dZ @ np.ones((m, 1))) / m
    dA_prev = (dZ.T @ W).T
    return dA_prev, dW, db
'''),
    "np_dot": ('''
def linear_forward(A, W, b):
    Z = np.dot(W, A) + b
    cache = (A, W, b)
    return Z, cache
''', '''
def linear_backward(dZ, cache):
    A_prev, W, b = cache
    m = A_prev.shape[1]
    dW = 1 / m * np.dot(dZ, A_prev.T)
    db = 1 / m * np.sum(dZ, axis=1, keepdims=True)
    dA_prev = np.dot(W.T, dZ)
    return dA_prev, dW, db
''', '''
def compute_cost(AL, Y):
    m = Y.shape[1]
    cost = -1 / m * (np.dot(Y, np.log(AL).T) + np.dot(1 - Y, np.log(1 - AL).T))
    cost = np.squeeze(cost)
    return cost
'''),
    "np_matmul": ('''
def linear_forward(A, W, b):
    Z = np.add(np.matmul(W, A), b)
    return Z, (A, W, b)
''', '''
def linear_backward(dZ, cache):
    A_prev, W, b = cache
    m = A_prev.shape[1]
    dW = np.matmul(dZ, np.transpose(A_prev)) / m
    db = np.sum(dZ, axis=1).reshape(-1, 1) / m
    dA_prev = np.matmul(np.transpose(W), dZ)
    return dA_prev, dW, db
'''),
    "einsum": ('''
def linear_forward(A, W, b):
    Z = np.einsum("ik,kj->ij", W, A) + b
    return Z, (A, W, b)
''', '''
def linear_backward(dZ, cache):
    A_prev, W, b = cache
    m = A_prev.shape[1]
    dW = np.einsum("ij,kj->ik", dZ, A_prev) / m
    db = np.einsum("ij->i", dZ)[:, None] / m
    dA_prev = np.einsum("ki,kj->ij", W, dZ)
    return dA_prev, dW, db
''', '''
def compute_cost(AL, Y):
    m = Y.shape[1]
    return -(np.einsum("ij,ij->", Y, np.log(AL)) + np.einsum("ij,ij->", 1 - Y, np.log(1 - AL))) / m
'''),
    "python_loops": ('''
def linear_forward(A, W, b):
    n, n_prev = W.shape
    m = A.shape[1]
    Z = np.zeros((n, m))
    for i in range(n):
        for j in range(m):
            total = b[i, 0]
            for k in range(n_prev):
                total += W[i, k] * A[k, j]
            Z[i, j] = total
    return Z, (A, W, b)
''', '''
def relu_backward(dA, cache):
    Z = cache
    dZ = np.zeros(dA.shape)
    for i in range(dA.shape[0]):
        for j in range(dA.shape[1]):
            if Z[i, j] > 0:
                dZ[i, j] = dA[i, j]
    return dZ
''', '''
def linear_backward(dZ, cache):
    A_prev, W, b = cache
    n, n_prev = W.shape
    m = A_prev.shape[1]
    dW = np.zeros((n, n_prev))
    db = np.zeros((n, 1))
    dA_prev = np.zeros((n_prev, m))
    for j in range(m):
        for i in range(n):
            db[i, 0] += dZ[i, j] / m
            for k in range(n_prev):
                dW[i, k] += dZ[i, j] * A_prev[k, j] / m
                dA_prev[k, j] += W[i, k] * dZ[i, j]
    return dA_prev, dW, db
''', '''
def compute_cost(AL, Y):
    m = Y.shape[1]
    total = 0.0
    for j in range(m):
        y, a = Y[0, j], AL[0, j]
        total += y * np.log(a) + (1 - y) * np.log(1 - a)
    return -total / m
'''),
    "np_where_mask": ('''
def relu_backward(dA, cache):
    return np.where(cache > 0, dA, 0.0)
''', '''
def sigmoid_backward(dA, cache):
    s = np.where(cache >= 0, 1 / (1 + np.exp(-np.abs(cache))), np.exp(-np.abs(cache)) / (1 + np.exp(-np.abs(cache))))
    return dA * s * (1 - s)
'''),
    "np_multiply": ('''
def relu_backward(dA, cache):
    return np.multiply(dA, np.greater(cache, 0).astype(dA.dtype))
''', '''
def sigmoid_backward(dA, cache):
    s = np.divide(1, np.add(1, np.exp(np.negative(cache))))
    return np.multiply(np.multiply(dA, s), np.subtract(1, s))
'''),
    "db_as_mean": ('''
def linear_backward(dZ, cache):
    A_prev, W, b = cache
    m = A_prev.shape[1]
    dW = np.dot(dZ, A_prev.T) / m
    db = np.mean(dZ, axis=1, keepdims=True)
    dA_prev = np.dot(W.T, dZ)
    return dA_prev, dW, db
''',),
    "update_in_place": ('''
def update_parameters(params, grads, learning_rate):
    L = len(params) // 2
    for l in range(1, L + 1):
        params["W" + str(l)] -= learning_rate * grads["dW" + str(l)]
        params["b" + str(l)] -= learning_rate * grads["db" + str(l)]
    return params
''',),
    "update_first_parameter_named_parameters": ('''
def update_parameters(parameters, grads, learning_rate):
    parameters = parameters.copy()
    L = len(parameters) // 2
    for l in range(L):
        parameters["W" + str(l + 1)] = parameters["W" + str(l + 1)] - learning_rate * grads["dW" + str(l + 1)]
        parameters["b" + str(l + 1)] = parameters["b" + str(l + 1)] - learning_rate * grads["db" + str(l + 1)]
    return parameters
''',),
    "update_deepcopy_then_subtract_in_place": ('''
def update_parameters(params, grads, learning_rate):
    import copy
    parameters = copy.deepcopy(params)
    for key in parameters:
        parameters[key] -= learning_rate * grads["d" + key]
    return parameters
''',),
    "epsilon_in_log": ('''
def compute_cost(AL, Y):
    m = Y.shape[1]
    epsilon = 1e-12
    cost = -np.sum(Y * np.log(AL + epsilon) + (1 - Y) * np.log(1 - AL + epsilon)) / m
    return np.squeeze(cost)
''', '''
def sigmoid_backward(dA, cache):
    s = 1 / (1 + np.exp(-cache))
    return dA * s * (1 - s) + 1e-12
'''),
    "prints_in_functions": ('''
def linear_forward(A, W, b):
    print("A shape:", A.shape, "W shape:", W.shape)
    Z = np.dot(W, A) + b
    print("Z =", Z)
    return Z, (A, W, b)
''', '''
def L_model_backward(AL, Y, caches):
    import sys
    grads = {}
    L = len(caches)
    print("number of layers:", L)
    print("debugging to stderr", file=sys.stderr)
    dA = -(np.divide(Y, AL) - np.divide(1 - Y, 1 - AL))
    for l in reversed(range(1, L + 1)):
        dA, dW, db = linear_activation_backward(dA, caches[l - 1], "sigmoid" if l == L else "relu")
        print("layer", l, "dW", dW.shape)
        grads["dA" + str(l - 1)], grads["dW" + str(l)], grads["db" + str(l)] = dA, dW, db
    return grads
'''),
    "extra_helper_functions": ('''
def sigmoid_derivative(Z):
    s = 1 / (1 + np.exp(-Z))
    return s * (1 - s)
''', '''
def relu_derivative(Z):
    return (Z > 0).astype(float)
''', '''
def layer_activation(name):
    return {"relu": relu, "sigmoid": sigmoid}[name]
''', '''
def relu_backward(dA, cache):
    return dA * relu_derivative(cache)
''', '''
def sigmoid_backward(dA, cache):
    return dA * sigmoid_derivative(cache)
''', '''
def linear_activation_forward(A_prev, W, b, activation):
    Z, linear_cache = linear_forward(A_prev, W, b)
    A, activation_cache = layer_activation(activation)(Z)
    return A, (linear_cache, activation_cache)
'''),
    "relu_derivative_at_zero_is_one": ('''
def relu_backward(dA, cache):
    Z = cache
    dZ = dA * (Z >= 0)
    return dZ
''',),
    "older_grads_keys": ('''
def L_model_backward(AL, Y, caches):
    grads = {}
    L = len(caches)
    Y = Y.reshape(AL.shape)
    dAL = -(np.divide(Y, AL) - np.divide(1 - Y, 1 - AL))
    current_cache = caches[L - 1]
    grads["dA" + str(L)], grads["dW" + str(L)], grads["db" + str(L)] = linear_activation_backward(
        dAL, current_cache, "sigmoid")
    for l in reversed(range(L - 1)):
        current_cache = caches[l]
        dA_prev_temp, dW_temp, db_temp = linear_activation_backward(grads["dA" + str(l + 2)], current_cache, "relu")
        grads["dA" + str(l + 1)] = dA_prev_temp
        grads["dW" + str(l + 1)] = dW_temp
        grads["db" + str(l + 1)] = db_temp
    return grads
''',),
    "course_style_backward": ('''
def relu_backward(dA, cache):
    Z = cache
    dZ = np.array(dA, copy=True)
    dZ[Z <= 0] = 0
    assert (dZ.shape == Z.shape)
    return dZ
''', '''
def L_model_backward(AL, Y, caches):
    grads = {}
    L = len(caches)
    m = AL.shape[1]
    Y = Y.reshape(AL.shape)
    dAL = - (np.divide(Y, AL) - np.divide(1 - Y, 1 - AL))
    current_cache = caches[L - 1]
    dA_prev_temp, dW_temp, db_temp = linear_activation_backward(dAL, current_cache, activation="sigmoid")
    grads["dA" + str(L - 1)] = dA_prev_temp
    grads["dW" + str(L)] = dW_temp
    grads["db" + str(L)] = db_temp
    for l in reversed(range(L - 1)):
        current_cache = caches[l]
        dA_prev_temp, dW_temp, db_temp = linear_activation_backward(grads["dA" + str(l + 1)], current_cache,
                                                                    activation="relu")
        grads["dA" + str(l)] = dA_prev_temp
        grads["dW" + str(l + 1)] = dW_temp
        grads["db" + str(l + 1)] = db_temp
    return grads
'''),
    "helpers_called_with_keywords": ('''
def linear_activation_forward(A_prev, W, b, activation):
    Z, linear_cache = linear_forward(A=A_prev, W=W, b=b)
    A, activation_cache = sigmoid(Z) if activation == "sigmoid" else relu(Z)
    return A, (linear_cache, activation_cache)
''', '''
def linear_activation_backward(dA, cache, activation):
    linear_cache, activation_cache = cache
    if activation == "relu":
        dZ = relu_backward(dA=dA, cache=activation_cache)
    else:
        dZ = sigmoid_backward(dA=dA, cache=activation_cache)
    return linear_backward(dZ=dZ, cache=linear_cache)
'''),
    "cost_as_python_float_via_mean": ('''
def compute_cost(AL, Y):
    losses = Y * np.log(AL) + (1 - Y) * np.log(1 - AL)
    return float(-np.mean(losses))
''',),
    "lists_and_tuples_swapped": ('''
def linear_forward(A, W, b):
    return [W @ A + b, [A, W, b]]
''', '''
def L_model_forward(X, parameters):
    A, caches = X, ()
    L = len([key for key in parameters if key.startswith("W")])
    for l in range(1, L + 1):
        A, cache = linear_activation_forward(A, parameters["W%d" % l], parameters["b%d" % l],
                                             "sigmoid" if l == L else "relu")
        caches = caches + (cache,)
    return A, caches
''', '''
def linear_backward(dZ, cache):
    A_prev, W, b = cache
    m = A_prev.shape[1]
    return [W.T @ dZ, dZ @ A_prev.T / m, dZ.sum(axis=1, keepdims=True) / m]
'''),
    "defaults_annotations_and_float_m": ('''
def linear_activation_forward(A_prev: np.ndarray, W: np.ndarray, b: np.ndarray, activation: str = "relu"):
    """My version: linear step then activation."""
    Z, linear_cache = linear_forward(A_prev, W, b)
    if activation.lower() == "sigmoid":
        A, activation_cache = sigmoid(Z)
    else:
        A, activation_cache = relu(Z)
    return A, (linear_cache, activation_cache)
''', '''
def linear_backward(dZ, cache, verbose=False):
    A_prev, W, b = cache
    m = float(A_prev.shape[1])
    dW = np.dot(dZ, A_prev.T) / m
    db = np.sum(dZ, axis=1, keepdims=True) / m
    dA_prev = np.dot(W.T, dZ)
    if verbose:
        print(dW)
    return dA_prev, dW, db
'''),
    "sigmoid_derivative_from_exp": ('''
def sigmoid_backward(dA, cache):
    e = np.exp(-cache)
    return dA * e / (1 + e) ** 2
''',),
}


def spliced(functions):
    def build(source):
        return "submission.py", replace_functions(source, *functions).encode()
    return build


def wrapped_everywhere(helper, decorator):
    """Every graded function decorated by a helper defined right after the imports."""
    def build(source):
        for name, text in function_sources(source).items():
            if name in GRADED:
                source = replace_functions(source, f"@{decorator}\n{text}")
        source = source.replace("import numpy as np\n", "import numpy as np\n" + helper, 1)
        return "submission.py", source.encode()
    return build


FLOAT_NOISE = '''import functools


def _nudged(value):
    if isinstance(value, np.ndarray) and value.dtype.kind == "f":
        return value * (1 + 1e-10) + 1e-12
    if isinstance(value, (tuple, list)):
        return type(value)(_nudged(item) for item in value)
    if isinstance(value, dict):
        return {key: _nudged(item) for key, item in value.items()}
    return value


def with_noise(function):
    @functools.wraps(function)
    def noisy(*args):
        return _nudged(function(*args))
    return noisy
'''

FLOAT32_INSIDE = '''import functools


def _as(value, dtype):
    if isinstance(value, np.ndarray) and value.dtype.kind == "f":
        return value.astype(dtype)
    if isinstance(value, (tuple, list)):
        return type(value)(_as(item, dtype) for item in value)
    if isinstance(value, dict):
        return {key: _as(item, dtype) for key, item in value.items()}
    return value


def in_float32(function):
    @functools.wraps(function)
    def single_precision(*args):
        return _as(function(*_as(args, np.float32)), np.float64)
    return single_precision
'''


def prints_at_import(source):
    source = source.replace("import numpy as np\n", 'import numpy as np\nprint("numpy version", np.__version__)\n'
                            'for i in range(3):\n    print("warming up", i)\n', 1)
    return "submission.py", (source + '\nprint("all functions defined")\nlinear_forward\n').encode()


def activations_from_dnn_utils(source):
    source = without_functions(source, "sigmoid", "relu")
    source = source.replace("import numpy as np\n", "import numpy as np\nfrom dnn_utils import sigmoid, relu\n", 1)
    return "submission.py", source.encode()


def bom_and_crlf(source):
    return "submission.py", b"\xef\xbb\xbf" + source.replace("\n", "\r\n").encode()


def _notebook_cells(source):
    """The reference split into one cell per function, with the course's usual clutter around them."""
    pieces = function_sources(source)
    cells = ["%matplotlib inline\nimport numpy as np\nimport h5py\n%load_ext autoreload\n%autoreload 2",
             "import matplotlib.pyplot as plt\nplt.rcParams['figure.figsize'] = (5.0, 4.0)",
             "!pip install x\nfrom testCases import *\nfrom public_tests import *\nnp.random.seed(1)",
             "%%bash\necho this cell is shell, not python\nexit 3"]
    for name, text in pieces.items():
        cells.append(text)
        if name in GRADED:
            cells.append(f"t_inputs = {name}_test_case()\nprint({name}(*t_inputs))\n{name}_test({name})")
    cells.append("parameters, costs = L_layer_model(train_x, train_y, layers_dims, num_iterations=2500)\n"
                 "for i in range(10**9):\n    pass")
    return cells


def notebook_v4(source):
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_markdown_cell("# Building your Deep Neural Network")]
    notebook.cells += [nbformat.v4.new_code_cell(text) for text in _notebook_cells(source)]
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    return "Building_your_Deep_Neural_Network.ipynb", nbformat.writes(notebook).encode()


def notebook_v3(source):
    v3 = nbformat.v3
    cells = [v3.new_text_cell("markdown", source="# Building your Deep Neural Network")]
    cells += [v3.new_code_cell(input=text, language="python") for text in _notebook_cells(source)]
    notebook = v3.new_notebook(worksheets=[v3.new_worksheet(cells=cells)])
    text = v3.writes_json(notebook)
    assert json.loads(text)["nbformat"] == 3
    return "old_notebook.ipynb", text.encode()


ALTERNATIVES = {
    **{name: spliced(functions) for name, functions in SPLICED.items()},
    "float_noise_everywhere": wrapped_everywhere(FLOAT_NOISE, "with_noise"),
    "float32_inside": wrapped_everywhere(FLOAT32_INSIDE, "in_float32"),
    "prints_at_import": prints_at_import,
    "activations_from_dnn_utils": activations_from_dnn_utils,
    "bom_and_crlf": bom_and_crlf,
    "notebook_with_magics_and_test_calls": notebook_v4,
    "notebook_format_3": notebook_v3,
}
