package io.herald.ingest.notification;

import io.herald.common.Limits;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** Body of {@code POST /v1/rooms/{room}/notifications}. */
@Schema(description = "A notification; rendered once into m.room.message content")
public record NotificationRequest(
        @Size(max = 1024, message = "must be at most 1024 characters") String subject,
        @NotBlank(message = "is required") @Size(max = 32768, message = "must be at most 32768 characters") String body,
        @Pattern(regexp = "https?://\\S+", flags = Pattern.Flag.CASE_INSENSITIVE,
                message = "must be an absolute http(s) URL") @Size(max = 2048) String link,
        @Schema(description = "true: m.notice (kept quiet by .m.rule.suppress_notices)") Boolean silent,
        @Pattern(regexp = "plain|markdown", message = "must be plain or markdown")
        @Schema(enumeration = {"plain", "markdown"}, defaultValue = "plain") String format,
        @Valid @Schema(description = "becomes the content's m.mentions") Mentions mentions) {

    /** Matrix intentional mentions. */
    public record Mentions(
            @Size(max = 100, message = "must list at most 100 users")
            List<@NotBlank(message = "must be a Matrix user id") @Size(max = Limits.MATRIX_ID_MAX_BYTES,
                    message = Limits.USER_ID_MESSAGE) @Pattern(regexp = Limits.USER_ID_PATTERN,
                    message = Limits.USER_ID_MESSAGE) String> userIds,
            Boolean room) {
    }

    public boolean markdown() {
        return "markdown".equals(format);
    }
}
