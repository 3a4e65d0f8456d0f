"""'Fix X first: your F relies on it' is said only of helpers F reaches, directly or through the student's
own functions."""
from conftest import result_of
from submissions.sources import reference_source, replace_functions

BROKEN_RELU = '''
def relu_backward(dA, cache):
    return dA
'''

INLINE_L_MODEL_BACKWARD = '''
def L_model_backward(AL, Y, caches):
    grads = {}
    L = len(caches)
    m = AL.shape[1]
    Y = Y.reshape(AL.shape)
    dA = -(np.divide(Y, AL) - np.divide(1 - Y, 1 - AL))
    for l in reversed(range(1, L + 1)):
        (A_prev, W, b), Z = caches[l - 1]
        if l == L:
            s = 1 / (1 + np.exp(-Z))
            dZ = dA * s * (1 - s)
        else:
            dZ = np.array(dA, copy=True)
            dZ[Z <= 0] = 0
        grads[f"dW{l}"] = dZ @ A_prev.T / m
        grads[f"db{l}"] = np.sum(dZ, axis=1, keepdims=True) / m
        dA = W.T @ dZ
        grads[f"dA{l - 1}"] = dA
    return grads
'''


def notes(result):
    return [d.headline for d in result.diagnostics if d.headline.startswith("graded with correct versions")]


def test_a_helper_the_function_never_reaches_is_not_what_it_relies_on(grade_source):
    report = grade_source(replace_functions(reference_source(), BROKEN_RELU, INLINE_L_MODEL_BACKWARD))
    assert notes(result_of(report, "L_model_backward")) == []
    assert notes(result_of(report, "linear_activation_backward")) == ["graded with correct versions of relu_backward"]


def test_a_helper_reached_through_the_students_own_function_still_counts(grade_source):
    report = grade_source(replace_functions(reference_source(), BROKEN_RELU))
    assert notes(result_of(report, "L_model_backward")) == ["graded with correct versions of relu_backward"]
