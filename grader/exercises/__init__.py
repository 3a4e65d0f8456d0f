"""The exercises, in the order of the assignment. Adding one means adding its file and a line here."""
from . import (L_model_backward, L_model_forward, compute_cost, linear_activation_backward,
               linear_activation_forward, linear_backward, linear_forward, relu_backward, sigmoid_backward,
               update_parameters)

EXERCISES = tuple(module.EXERCISE for module in (
    linear_forward, linear_activation_forward, L_model_forward, compute_cost, relu_backward, sigmoid_backward,
    linear_backward, linear_activation_backward, L_model_backward, update_parameters,
))
BY_NAME = {exercise.name: exercise for exercise in EXERCISES}
SIGNATURES = {exercise.name: tuple(exercise.params) for exercise in EXERCISES}
assert sum(exercise.weight for exercise in EXERCISES) == 100
