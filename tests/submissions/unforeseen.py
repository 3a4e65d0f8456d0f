"""Mistakes no catalog entry describes, written as students write them (the course's template style). The
line at fault ends with `# <-`: tests/test_unforeseen_lines.py finds it there, never from a number written here."""

UNFORESEEN = {
    "lf_bias_row": ("linear_forward", '''
def linear_forward(A, W, b):
    Z = np.dot(W, A) + b.reshape(1, -1)  # <-
    cache = (A, W, b)
    return Z, cache
'''),
    "lb_db_mean_axis0": ("linear_backward", '''
def linear_backward(dZ, cache):
    A_prev, W, b = cache
    m = A_prev.shape[1]
    dW = 1 / m * np.dot(dZ, A_prev.T)
    db = np.mean(dZ, axis=0, keepdims=True)  # <-
    dA_prev = np.dot(W.T, dZ)
    return dA_prev, dW, db
'''),
    "lb_dA_prev_uses_dW": ("linear_backward", '''
def linear_backward(dZ, cache):
    A_prev, W, b = cache
    m = A_prev.shape[1]
    dW = 1 / m * np.dot(dZ, A_prev.T)
    db = 1 / m * np.sum(dZ, axis=1, keepdims=True)
    dA_prev = np.dot(dW.T, dZ)  # <-
    return dA_prev, dW, db
'''),
    "lb_m_len": ("linear_backward", '''
def linear_backward(dZ, cache):
    A_prev, W, b = cache
    m = len(dZ)  # <-
    dW = 1 / m * np.dot(dZ, A_prev.T)
    db = 1 / m * np.sum(dZ, axis=1, keepdims=True)
    dA_prev = np.dot(W.T, dZ)
    return dA_prev, dW, db
'''),
    "sb_exp_sign": ("sigmoid_backward", '''
def sigmoid_backward(dA, cache):
    Z = cache
    s = np.exp(-Z) / (1 + np.exp(-Z)) ** 2  # <-
    dZ = dA * s * (1 - s)
    return dZ
'''),
    "sb_square": ("sigmoid_backward", '''
def sigmoid_backward(dA, cache):
    Z = cache
    s = 1 / (1 + np.exp(-Z))
    dZ = dA * (s - s ** 3)  # <-
    return dZ
'''),
    "rb_mask_ge": ("relu_backward", '''
def relu_backward(dA, cache):
    Z = cache
    dZ = np.array(dA, copy=True)
    dZ[Z > 0] = 0  # <-
    return dZ
'''),
    "rb_mask_scaled": ("relu_backward", '''
def relu_backward(dA, cache):
    Z = cache
    dZ = np.array(dA, copy=True)
    dZ[Z <= 0] = 0.01  # <-
    return dZ
'''),
    "cc_abs": ("compute_cost", '''
def compute_cost(AL, Y):
    m = Y.shape[1]
    logprobs = np.multiply(np.log(AL), Y) + np.multiply(np.log(1 - AL), Y)  # <-
    cost = -1 / m * np.sum(logprobs)
    cost = np.squeeze(cost)
    return cost
'''),
    "cc_m_plus": ("compute_cost", '''
def compute_cost(AL, Y):
    m = Y.shape[1] + 1  # <-
    cost = -1 / m * np.sum(Y * np.log(AL) + (1 - Y) * np.log(1 - AL))
    return np.squeeze(cost)
'''),
    "lab_cache_swap": ("linear_activation_backward", '''
def linear_activation_backward(dA, cache, activation):
    activation_cache, linear_cache = cache  # <-
    if activation == "relu":
        dZ = relu_backward(dA, activation_cache)
    elif activation == "sigmoid":
        dZ = sigmoid_backward(dA, activation_cache)
    dA_prev, dW, db = linear_backward(dZ, linear_cache)
    return dA_prev, dW, db
'''),
    "lab_dZ_twice": ("linear_activation_backward", '''
def linear_activation_backward(dA, cache, activation):
    linear_cache, activation_cache = cache
    if activation == "relu":
        dZ = relu_backward(dA, activation_cache)
    elif activation == "sigmoid":
        dZ = sigmoid_backward(dA, activation_cache)
    dZ = dZ * 2  # <-
    dA_prev, dW, db = linear_backward(dZ, linear_cache)
    return dA_prev, dW, db
'''),
    "lmb_dal_half": ("L_model_backward", '''
def L_model_backward(AL, Y, caches):
    grads = {}
    L = len(caches)
    Y = Y.reshape(AL.shape)
    dAL = -(np.divide(Y, AL) - np.divide(1 - Y, 1 - AL)) / 2  # <-
    current_cache = caches[L - 1]
    dA_prev_temp, dW_temp, db_temp = linear_activation_backward(dAL, current_cache, "sigmoid")
    grads["dA" + str(L - 1)] = dA_prev_temp
    grads["dW" + str(L)] = dW_temp
    grads["db" + str(L)] = db_temp
    for l in reversed(range(L - 1)):
        current_cache = caches[l]
        dA_prev_temp, dW_temp, db_temp = linear_activation_backward(grads["dA" + str(l + 1)], current_cache, "relu")
        grads["dA" + str(l)] = dA_prev_temp
        grads["dW" + str(l + 1)] = dW_temp
        grads["db" + str(l + 1)] = db_temp
    return grads
'''),
    "lmb_wrong_cache": ("L_model_backward", '''
def L_model_backward(AL, Y, caches):
    grads = {}
    L = len(caches)
    Y = Y.reshape(AL.shape)
    dAL = -(np.divide(Y, AL) - np.divide(1 - Y, 1 - AL))
    current_cache = caches[L - 1]
    dA_prev_temp, dW_temp, db_temp = linear_activation_backward(dAL, current_cache, "sigmoid")
    grads["dA" + str(L - 1)] = dA_prev_temp
    grads["dW" + str(L)] = dW_temp
    grads["db" + str(L)] = db_temp
    for l in reversed(range(L - 1)):
        current_cache = caches[l]
        dA_prev_temp, dW_temp, db_temp = linear_activation_backward(grads["dA" + str(l + 1)], current_cache, "relu")
        grads["dA" + str(l)] = dA_prev_temp
        grads["dW" + str(l + 1)] = db_temp  # <-
        grads["db" + str(l + 1)] = db_temp
    return grads
'''),
    "up_sign_b": ("update_parameters", '''
def update_parameters(params, grads, learning_rate):
    parameters = params.copy()
    L = len(parameters) // 2
    for l in range(L):
        parameters["W" + str(l + 1)] = parameters["W" + str(l + 1)] - learning_rate * grads["dW" + str(l + 1)]
        parameters["b" + str(l + 1)] = parameters["b" + str(l + 1)] + learning_rate * grads["db" + str(l + 1)]  # <-
    return parameters
'''),
    "up_rate_squared": ("update_parameters", '''
def update_parameters(params, grads, learning_rate):
    parameters = params.copy()
    L = len(parameters) // 2
    for l in range(L):
        step = learning_rate ** 2  # <-
        parameters["W" + str(l + 1)] = parameters["W" + str(l + 1)] - step * grads["dW" + str(l + 1)]
        parameters["b" + str(l + 1)] = parameters["b" + str(l + 1)] - step * grads["db" + str(l + 1)]
    return parameters
'''),
    "laf_cache_A_prev": ("linear_activation_forward", '''
def linear_activation_forward(A_prev, W, b, activation):
    if activation == "sigmoid":
        Z, linear_cache = linear_forward(A_prev, W, b)
        A, activation_cache = sigmoid(Z)
    elif activation == "relu":
        Z, linear_cache = linear_forward(A_prev, W, b)
        A, activation_cache = relu(Z)
    cache = (linear_cache, A_prev)  # <-
    return A, cache
'''),
    "lb_W_for_A": ("linear_backward", '''
def linear_backward(dZ, cache):
    A_prev, W, b = cache
    m = A_prev.shape[1]
    dW = 1 / m * np.dot(dZ, A_prev.T)
    db = 1 / m * np.sum(dZ, axis=1, keepdims=True)
    dA_prev = np.dot(W.T, dZ) / 2  # <-
    return dA_prev, dW, db
'''),
}
