"""Wrong passwords in a row slow the sender down; a right one resets the count."""

from invoicer.server.throttle import FIRST_LOCK_S, SignInThrottle


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_the_sixth_wrong_password_for_an_email_waits():
    clock = Clock()
    throttle = SignInThrottle(clock)
    for _ in range(5):
        assert throttle.retry_after("claire@demo.test", "10.0.0.1") == 0
        throttle.failed("claire@demo.test", "10.0.0.1")
    assert throttle.retry_after("Claire@demo.test", "10.0.0.2") == FIRST_LOCK_S
    clock.now += FIRST_LOCK_S
    assert throttle.retry_after("claire@demo.test", "10.0.0.2") == 0
    throttle.failed("claire@demo.test", "10.0.0.2")
    assert throttle.retry_after("claire@demo.test", None) == 2 * FIRST_LOCK_S


def test_success_clears_the_email_count_and_other_emails_are_free():
    throttle = SignInThrottle(Clock())
    for _ in range(6):
        throttle.failed("sam@demo.test", "10.0.0.1")
    assert throttle.retry_after("sam@demo.test", None) > 0
    assert throttle.retry_after("max@demo.test", None) == 0
    throttle.succeeded("sam@demo.test")
    assert throttle.retry_after("sam@demo.test", None) == 0
