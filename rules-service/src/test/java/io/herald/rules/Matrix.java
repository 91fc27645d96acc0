package io.herald.rules;

import static org.assertj.core.api.Assertions.assertThat;

import com.atlassian.oai.validator.model.Request;
import com.atlassian.oai.validator.report.ValidationReport;
import io.herald.testsupport.MatrixSpec;
import io.restassured.response.ExtractableResponse;
import io.restassured.response.Response;

/** Asserts that a response of a Herald Matrix-compatible endpoint conforms to the Matrix OpenAPI definition. */
final class Matrix {

    private Matrix() {
    }

    static ExtractableResponse<Response> conforms(String specFile, Request.Method method, String matrixPath,
            ExtractableResponse<Response> response) {
        ValidationReport report = MatrixSpec.validateResponse(specFile, method, matrixPath, response.statusCode(),
                response.asString());
        assertThat(report.getMessages()).as("%s %s %d %s", method, matrixPath, response.statusCode(), response.asString())
                .isEmpty();
        return response;
    }
}
