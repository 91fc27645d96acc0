package io.herald.console;

/** No session (or an expired one): the person is sent to the sign-in page. */
public class SignInRequired extends RuntimeException {

    public SignInRequired() {
        super("sign in first", null, false, false);
    }
}
