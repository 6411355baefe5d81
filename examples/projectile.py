"""Differentiate through a simulation: a projectile with quadratic air drag.

The flight is integrated with semi-implicit Euler steps in a plain ``for`` loop that stops
with ``break`` once the projectile is below the ground; the landing point is then found by
linear interpolation between the last two positions, so the range depends smoothly on the
inputs (within one step count) and its derivative includes the change in flight time.
srcad differentiates through the loop, the ``break`` and the helper ``accel``: we check
d(range)/d(angle) and d(range)/d(drag) against finite differences, then find the best
launch angle by gradient ascent. With drag it is below 45 degrees.
"""
import math

import srcad

GRAVITY = 9.81


def accel(vx, vy, drag):
    speed = math.sqrt(vx * vx + vy * vy)
    return -drag * speed * vx, -GRAVITY - drag * speed * vy


def distance(angle, speed0, drag, dt=0.01, n_steps=300):
    # 300 steps of 0.01 s: long enough to land for any angle below about 55 degrees
    # at the speed and drag used below.
    x, y = 0.0, 0.0
    vx = speed0 * math.cos(angle)
    vy = speed0 * math.sin(angle)
    x_prev, y_prev = x, y
    for step in range(n_steps):
        ax, ay = accel(vx, vy, drag)
        vx = vx + dt * ax
        vy = vy + dt * ay
        x_prev, y_prev = x, y
        x = x + dt * vx
        y = y + dt * vy
        if y < 0.0:
            break
    # where the segment from (x_prev, y_prev) to (x, y) crosses y = 0
    return x_prev + (x - x_prev) * y_prev / (y_prev - y)


def check(name, g, fd):
    rel = abs(g - fd) / max(abs(fd), 1e-12)
    print(f"d range / d {name:5s}  srcad {g: .8f}   finite differences {fd: .8f}   "
          f"relative error {rel:.1e}")
    assert rel < 1e-5, (name, g, fd, rel)


def main():
    speed0, drag = 20.0, 0.02
    angle = 0.5                                    # radians, about 28.6 degrees

    d_range = srcad.grad(distance, wrt=(0, 2))     # (d/d angle, d/d drag)
    g_angle, g_drag = d_range(angle, speed0, drag)
    h = 1e-6
    fd_angle = (distance(angle + h, speed0, drag) - distance(angle - h, speed0, drag)) / (2 * h)
    fd_drag = (distance(angle, speed0, drag + h) - distance(angle, speed0, drag - h)) / (2 * h)
    check("angle", g_angle, fd_angle)
    check("drag", g_drag, fd_drag)

    lr = 0.005
    for it in range(30):
        g_angle, _ = d_range(angle, speed0, drag)
        angle = angle + lr * g_angle
        if it % 5 == 4:
            print(f"step {it + 1:2d}   angle {math.degrees(angle):6.2f} degrees   "
                  f"range {distance(angle, speed0, drag):.4f} m")
    best = math.degrees(angle)
    print(f"best launch angle with drag {drag}: {best:.2f} degrees, range "
          f"{distance(angle, speed0, drag):.3f} m (45 degrees: "
          f"{distance(math.pi / 4, speed0, drag):.3f} m)")
    assert abs(g_angle) < 0.5, g_angle                  # converged to a maximum
    assert 30.0 < best < 45.0, best                     # drag lowers the best angle
    assert distance(angle, speed0, drag) > distance(math.pi / 4, speed0, drag)
    print("OK")


if __name__ == "__main__":
    main()
