package io.herald.rules;

import static io.restassured.RestAssured.given;

import io.herald.testsupport.TestTokens;
import io.restassured.specification.RequestSpecification;

/** Requests as a given caller: test-support's service tokens, or any bearer token (a Matrix user's). */
final class Auth {

    private Auth() {
    }

    /** An admin of every tenant. */
    static RequestSpecification admin() {
        return as(TestTokens.ADMIN);
    }

    /** An operator of every tenant. */
    static RequestSpecification operator() {
        return as(TestTokens.OPERATOR);
    }

    static RequestSpecification as(String token) {
        return given().header("Authorization", TestTokens.bearer(token));
    }
}
