"""A projectile with quadratic air drag, integrated step by step; srcad differentiates the
range with respect to the launch angle and the drag coefficient, through the time loop, the
helper that computes the acceleration, and the break at touchdown."""
import math

import srcad

GRAVITY = 9.81


def acceleration(vx, vy, drag):
    speed = math.sqrt(vx * vx + vy * vy)
    return -drag * speed * vx, -GRAVITY - drag * speed * vy


def distance(angle, drag, speed0=30.0, dt=0.005, n_steps=2000):
    x, y = 0.0, 0.0
    vx = speed0 * math.cos(angle)
    vy = speed0 * math.sin(angle)
    x_prev, y_prev = x, y
    for step in range(n_steps):
        ax, ay = acceleration(vx, vy, drag)
        x_prev, y_prev = x, y
        vx = vx + dt * ax
        vy = vy + dt * ay
        x = x + dt * vx
        y = y + dt * vy
        if y < 0.0:
            break
    # land where the last step crossed y = 0, so the range is smooth in the inputs
    fraction = y_prev / (y_prev - y)
    return x_prev + fraction * (x - x_prev)


def main():
    dd = srcad.grad(distance, wrt=(0, 1))
    angle, drag = 0.6, 0.005
    g_angle, g_drag = dd(angle, drag)
    h = 1e-7
    fd_angle = (distance(angle + h, drag) - distance(angle - h, drag)) / (2 * h)
    fd_drag = (distance(angle, drag + h) - distance(angle, drag - h)) / (2 * h)
    print(f"d range / d angle: srcad {g_angle:.6f}   finite differences {fd_angle:.6f}")
    print(f"d range / d drag:  srcad {g_drag:.6f}   finite differences {fd_drag:.6f}")
    assert abs(g_angle - fd_angle) <= 1e-4 * abs(fd_angle) + 1e-6
    assert abs(g_drag - fd_drag) <= 1e-4 * abs(fd_drag) + 1e-6
    d_angle = srcad.value_and_grad(distance, wrt="angle")
    start = distance(angle, drag)
    for it in range(30):
        reach, slope = d_angle(angle, drag)
        angle = angle + 5e-4 * slope
        if it % 10 == 0:
            print(f"  angle {math.degrees(angle):6.2f} degrees  range {reach:7.3f} m")
    best = distance(angle, drag)
    print(f"best launch angle with drag {drag}: {math.degrees(angle):.2f} degrees "
          f"(range {best:.2f} m; 45 degrees gives {distance(math.pi / 4, drag):.2f} m)")
    assert best > start and math.degrees(angle) < 45.0
    assert best >= distance(math.pi / 4, drag)
    print("OK")


if __name__ == "__main__":
    main()
