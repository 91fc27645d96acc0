package io.herald.testsupport;

import static org.assertj.core.api.Assertions.assertThat;

import com.atlassian.oai.validator.model.Request;
import com.atlassian.oai.validator.report.ValidationReport;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The validator the services' tests rely on really rejects what the Matrix spec rejects. */
class MatrixSpecTest {

    private static final String SEND = "/_matrix/client/v3/rooms/%21r%3Aexample.org/send/m.room.message/txn1";

    @Test
    void aConformingRoomSendPasses() {
        ValidationReport report = MatrixSpec.validateRequest(MatrixSpec.ROOM_SEND, Request.Method.PUT, SEND,
                Map.of("Authorization", "Bearer t"), "{\"msgtype\":\"m.text\",\"body\":\"hi\"}");
        assertThat(report.getMessages()).isEmpty();
    }

    @Test
    void aRoomSendWithoutAccessTokenFails() {
        ValidationReport report = MatrixSpec.validateRequest(MatrixSpec.ROOM_SEND, Request.Method.PUT, SEND,
                Map.of(), "{\"msgtype\":\"m.text\",\"body\":\"hi\"}");
        assertThat(report.hasErrors()).isTrue();
    }

    @Test
    void aWrongPathOrMethodFails() {
        assertThat(MatrixSpec.validateRequest(MatrixSpec.ROOM_SEND, Request.Method.POST, SEND,
                Map.of("Authorization", "Bearer t"), "{}").hasErrors()).isTrue();
        assertThat(MatrixSpec.validateRequest(MatrixSpec.ROOM_SEND, Request.Method.PUT,
                "/_matrix/client/r0/rooms/x/send/m.room.message/t", Map.of("Authorization", "Bearer t"), "{}")
                .hasErrors()).isTrue();
    }

    @Test
    void aPushNotificationMissingDevicesFails() {
        ValidationReport ok = MatrixSpec.validateRequest(MatrixSpec.PUSH_NOTIFY, Request.Method.POST,
                "/_matrix/push/v1/notify", Map.of(), "{\"notification\":{\"devices\":[{\"app_id\":\"a\",\"pushkey\":\"k\"}]}}");
        ValidationReport missing = MatrixSpec.validateRequest(MatrixSpec.PUSH_NOTIFY, Request.Method.POST,
                "/_matrix/push/v1/notify", Map.of(), "{\"notification\":{}}");
        assertThat(ok.getMessages()).isEmpty();
        assertThat(missing.hasErrors()).isTrue();
    }
}
