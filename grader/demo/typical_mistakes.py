"""A sample submission with the mistakes students make most often (used by `grade --demo`).

Building a deep neural network, step by step.

Conventions used by every function below:
- one example per column: X has shape (n_x, m) for m examples;
- layer l has n[l] units: W{l} has shape (n[l], n[l-1]) and b{l} has shape (n[l], 1);
- Z[l] = W[l] . A[l-1] + b[l] and A[l] = g(Z[l]), with relu hidden layers and a sigmoid output;
- caches: linear_cache = (A_prev, W, b); activation cache = Z; a layer's cache = (linear_cache, Z).
"""
import numpy as np


def sigmoid(Z):
    """Sigmoid activation.

    Inputs:
    - Z: array of any shape
    Returns a tuple of:
    - A: sigmoid(Z) = 1 / (1 + e^-Z), same shape as Z
    - cache: Z, kept for the backward pass
    """
    A = 1 / (1 + np.exp(-Z))
    return A, Z


def relu(Z):
    """ReLU activation.

    Inputs:
    - Z: array of any shape
    Returns a tuple of:
    - A: max(0, Z), same shape as Z
    - cache: Z, kept for the backward pass
    """
    A = np.maximum(0, Z)
    return A, Z


def linear_forward(A, W, b):
    """The linear part of one layer's forward pass: Z = W . A + b.

    Inputs:
    - A: activations of the previous layer, shape (n_prev, m)
    - W: weights, shape (n, n_prev)
    - b: biases, shape (n, 1)
    Returns a tuple of:
    - Z: pre-activation, shape (n, m)
    - cache: (A, W, b), kept for the backward pass
    """
    Z = W @ A + b
    cache = (A, W, b)
    return Z, cache


def linear_activation_forward(A_prev, W, b, activation):
    """One layer's forward pass: linear step, then the activation.

    Inputs:
    - A_prev: activations of the previous layer, shape (n_prev, m)
    - W: weights, shape (n, n_prev)
    - b: biases, shape (n, 1)
    - activation: "relu" or "sigmoid"
    Returns a tuple of:
    - A: post-activation, shape (n, m)
    - cache: (linear_cache, Z) where linear_cache = (A_prev, W, b) and Z has shape (n, m)
    """
    Z, linear_cache = linear_forward(A_prev, W, b)
    if activation == "sigmoid":
        A, activation_cache = sigmoid(Z)
    elif activation == "relu":
        A, activation_cache = relu(Z)
    else:
        raise ValueError(f"unknown activation {activation!r}")
    cache = (linear_cache, activation_cache)
    return A, cache


def L_model_forward(X, parameters):
    """The forward pass of the whole network: [LINEAR -> RELU] x (L-1), then LINEAR -> SIGMOID.

    Inputs:
    - X: input data, shape (n_x, m)
    - parameters: dict with W1, b1, ..., WL, bL
    Returns a tuple of:
    - AL: output of the last layer (the predictions), shape (1, m)
    - caches: list of the L layer caches, caches[l-1] being layer l's (linear_cache, Z)
    """
    caches = []
    A = X
    L = len(parameters) // 2
    for l in range(1, L):
        A, cache = linear_activation_forward(A, parameters[f"W{l}"], parameters[f"b{l}"], "relu")
        caches.append(cache)
    AL, cache = linear_activation_forward(A, parameters[f"W{L}"], parameters[f"b{L}"], "sigmoid")
    caches.append(cache)
    return AL, caches


def compute_cost(AL, Y):
    """The cross-entropy cost, averaged over the m examples.

    J = -1/m * sum( Y * log(AL) + (1 - Y) * log(1 - AL) )

    Inputs:
    - AL: predicted probabilities, shape (1, m)
    - Y: true labels (0 or 1), shape (1, m)
    Returns:
    - cost: a scalar (a float or a 0-d array)
    """
    m = Y.shape[1]
    cost = -np.sum(Y * np.log(AL) + (1 - Y) * np.log(1 - AL)) / m
    cost = np.squeeze(cost)
    return cost


def relu_backward(dA, cache):
    """The backward pass through a ReLU: dZ = dA * relu'(Z).

    Inputs:
    - dA: gradient of the loss with respect to the activation A, shape (n, m)
    - cache: Z, the pre-activation saved by the forward pass, shape (n, m)
    Returns:
    - dZ: gradient of the loss with respect to Z, shape (n, m)
    """
    Z = cache
    dZ = np.maximum(dA, 0)
    return dZ


def sigmoid_backward(dA, cache):
    """The backward pass through a sigmoid: dZ = dA * s * (1 - s) with s = sigmoid(Z).

    Inputs:
    - dA: gradient of the loss with respect to the activation A, shape (n, m)
    - cache: Z, the pre-activation saved by the forward pass, shape (n, m)
    Returns:
    - dZ: gradient of the loss with respect to Z, shape (n, m)
    """
    Z = cache
    s = 1 / (1 - np.exp(-Z))
    dZ = dA * s * (1 - s)
    return dZ


def linear_backward(dZ, cache):
    """The backward pass through the linear step Z = W . A_prev + b.

    dW = 1/m * dZ . A_prev^T;  db = 1/m * (sum of dZ over the examples);  dA_prev = W^T . dZ

    Inputs:
    - dZ: gradient of the loss with respect to Z, shape (n, m)
    - cache: (A_prev, W, b) from the forward pass; shapes (n_prev, m), (n, n_prev), (n, 1)
    Returns a tuple of:
    - dA_prev: gradient with respect to A_prev, shape (n_prev, m)
    - dW: gradient of the cost with respect to W, shape (n, n_prev)
    - db: gradient of the cost with respect to b, shape (n, 1)
    """
    A_prev, W, b = cache
    m = A_prev.shape[1]
    dW = np.dot(dZ, A_prev.T) / m
    db = np.sum(dZ, axis=0, keepdims=True) / m
    dA_prev = np.dot(W.T, dZ)
    return dA_prev, dW, db


def linear_activation_backward(dA, cache, activation):
    """One layer's backward pass: through the activation, then through the linear step.

    Inputs:
    - dA: gradient with respect to this layer's activation, shape (n, m)
    - cache: (linear_cache, Z) from linear_activation_forward
    - activation: "relu" or "sigmoid"
    Returns a tuple of:
    - dA_prev: gradient with respect to the previous activation, shape (n_prev, m)
    - dW: shape (n, n_prev)
    - db: shape (n, 1)
    """
    linear_cache, activation_cache = cache
    if activation == "relu":
        dZ = relu_backward(dA, activation_cache)
    elif activation == "sigmoid":
        dZ = sigmoid_backward(dA, activation_cache)
    else:
        raise ValueError(f"unknown activation {activation!r}")
    dA_prev, dW, db = linear_backward(dZ, linear_cache)
    return dA_prev, dW, db


def L_model_backward(AL, Y, caches):
    """The backward pass of the whole network, from the cost back to the input.

    dAL = -(Y / AL - (1 - Y) / (1 - AL)), then the sigmoid layer, then the L-1 relu layers.

    Inputs:
    - AL: output of L_model_forward, shape (1, m)
    - Y: true labels, shape (1, m)
    - caches: the list of L layer caches from L_model_forward
    Returns:
    - grads: dict with dA{l-1}, dW{l} and db{l} for l = 1..L
      (dA{l-1} is the gradient with respect to A[l-1], the input of layer l; dA0 is for X)
    """
    grads = {}
    L = len(caches)
    Y = Y.reshape(AL.shape)
    dAL = -(np.divide(Y, AL) - np.divide(1 - Y, AL))
    dA = dAL
    for l in reversed(range(1, L + 1)):
        activation = "sigmoid" if l == L else "relu"
        dA, dW, db = linear_activation_backward(dA, caches[l - 1], activation)
        grads["dA" + str(l - 1)] = dA
        grads["dW" + str(l)] = dW
        grads["db" + str(l)] = db
    return grads


def update_parameters(params, grads, learning_rate):
    """One step of gradient descent: W{l} -= learning_rate * dW{l}, b{l} -= learning_rate * db{l}.

    Inputs:
    - params: dict with W1, b1, ..., WL, bL
    - grads: dict with dW1, db1, ..., dWL, dbL (and the dA{l} entries, unused here)
    - learning_rate: the step size, a positive float
    Returns:
    - parameters: dict with the updated W1, b1, ..., WL, bL
    """
    parameters = {key: value.copy() for key, value in params.items()}
    L = len(parameters) // 2
    for l in range(1, L + 1):
        parameters["W" + str(l)] = parameters["W" + str(l)] - learning_rate * grads["dW" + str(l)] * 2
        parameters["b" + str(l)] = parameters["b" + str(l)] - learning_rate * grads["db" + str(l)]
    return parameters
