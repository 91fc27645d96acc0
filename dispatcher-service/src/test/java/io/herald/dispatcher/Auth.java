package io.herald.dispatcher;

import static io.restassured.RestAssured.given;

import io.herald.testsupport.TestTokens;
import io.restassured.specification.RequestSpecification;

/** Requests as a given caller (test-support's service tokens). */
public final class Auth {

    private Auth() {
    }

    /** An admin of every tenant (so also an operator). */
    public static RequestSpecification admin() {
        return as(TestTokens.ADMIN);
    }

    public static RequestSpecification as(String token) {
        return given().header("Authorization", TestTokens.bearer(token));
    }
}
