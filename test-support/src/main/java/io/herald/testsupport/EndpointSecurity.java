package io.herald.testsupport;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.assertj.core.api.SoftAssertions;

/**
 * Checks who may call every operation of a service's OpenAPI document ({@code /q/openapi?format=json}), so that an
 * endpoint cannot be added without deciding who may call it: the test names the roles each operation allows, and an
 * operation it does not name fails the test.
 */
public final class EndpointSecurity {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> METHODS = Set.of("get", "put", "post", "delete", "patch", "head", "options");
    private static final Pattern PARAMETER = Pattern.compile("\\{([^}]+)}");

    /** Sample values of path parameters (a test may add its own). */
    public static final Map<String, String> SAMPLES = Map.of("room", "sample-room", "id", "sample-id", "userId",
            "@alice:example.org", "kind", "override", "ruleId", "sample-rule", "name", "ci");

    private EndpointSecurity() {
    }

    /** One operation: {@code GET /v1/rooms/{room}}. */
    public record Operation(String method, String path) {
        @Override
        public String toString() {
            return method + " " + path;
        }
    }

    /** Every operation of the service's OpenAPI document. */
    public static List<Operation> operations() {
        String document = given().queryParam("format", "json").get("/q/openapi").then().statusCode(200).extract()
                .asString();
        try {
            List<Operation> operations = new ArrayList<>();
            Iterator<Map.Entry<String, JsonNode>> paths = JSON.readTree(document).path("paths").fields();
            while (paths.hasNext()) {
                Map.Entry<String, JsonNode> path = paths.next();
                path.getValue().fieldNames().forEachRemaining(method -> {
                    if (METHODS.contains(method)) {
                        operations.add(new Operation(method.toUpperCase(java.util.Locale.ROOT), path.getKey()));
                    }
                });
            }
            return operations;
        } catch (IOException e) {
            throw new IllegalStateException("the OpenAPI document is not JSON", e);
        }
    }

    /** Calls the operation with sample path parameters, an empty JSON object as body, and the token (null: none). */
    public static Response call(Operation operation, String token, Map<String, String> samples) {
        Map<String, String> values = new HashMap<>(SAMPLES);
        values.putAll(samples);
        Map<String, Object> parameters = new LinkedHashMap<>();
        Matcher m = PARAMETER.matcher(operation.path());
        while (m.find()) {
            parameters.put(m.group(1), values.getOrDefault(m.group(1), "sample"));
        }
        RequestSpecification request = given().redirects().follow(false).pathParams(parameters);
        if (token != null) {
            request.header("Authorization", TestTokens.bearer(token));
        }
        if (operation.method().equals("POST") || operation.method().equals("PUT")) {
            request.contentType("application/json").body("{}");
        }
        return request.request(operation.method(), operation.path());
    }

    /**
     * Asserts, for every operation: it is named in {@code rolesByOperation} (or in {@code publicOperations}); without
     * credentials it answers 401 with {@code WWW-Authenticate: Bearer}; with a token of the {@code guest} role 403;
     * with each token of {@code tokensByRole} 403 unless the operation allows that role (an admin may what an
     * operator may), and otherwise anything but 401 and 403.
     *
     * @param rolesByOperation the roles each operation allows, keyed {@code "GET /v1/rooms/{room}"}
     * @param publicOperations operations anyone may call (each needs a reason where it is declared)
     * @param tokensByRole     a token for each role to try, e.g. {@code admin} → {@link TestTokens#ADMIN}
     */
    public static void assertEveryOperation(Map<String, Set<String>> rolesByOperation, Set<String> publicOperations,
            Map<String, String> tokensByRole, Map<String, String> samples) {
        List<Operation> operations = operations();
        Set<String> documented = new TreeSet<>();
        operations.forEach(o -> documented.add(o.toString()));
        Set<String> declared = new TreeSet<>(rolesByOperation.keySet());
        declared.addAll(publicOperations);
        assertThat(documented).as("operations of the OpenAPI document: declare who may call each (new ones first)")
                .containsExactlyInAnyOrderElementsOf(declared);
        SoftAssertions soft = new SoftAssertions();
        for (Operation operation : operations) {
            if (publicOperations.contains(operation.toString())) {
                continue;
            }
            Response anonymous = call(operation, null, samples);
            soft.assertThat(anonymous.statusCode()).as("%s without credentials", operation).isEqualTo(401);
            soft.assertThat(anonymous.header("WWW-Authenticate")).as("%s challenge", operation).startsWith("Bearer");
            soft.assertThat(call(operation, TestTokens.GUEST, samples).statusCode())
                    .as("%s with a token of no allowed role", operation).isEqualTo(403);
            Set<String> allowed = rolesByOperation.get(operation.toString());
            tokensByRole.forEach((role, token) -> {
                int status = call(operation, token, samples).statusCode();
                if (allows(allowed, role)) {
                    soft.assertThat(status).as("%s as %s", operation, role).isNotIn(401, 403);
                } else {
                    soft.assertThat(status).as("%s as %s", operation, role).isEqualTo(403);
                }
            });
        }
        soft.assertAll();
    }

    private static boolean allows(Set<String> allowed, String role) {
        return allowed.contains(role) || role.equals("admin") && allowed.contains("operator");
    }
}
