package io.herald.ingest.notification;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

/** Body of {@code POST /v1/rooms/{room}/notifications}. */
public record NotificationRequest(
        @Size(max = 1024, message = "must be at most 1024 characters") String subject,
        @NotBlank(message = "is required") @Size(max = 32768, message = "must be at most 32768 characters") String body,
        @Pattern(regexp = "https?://\\S+", flags = Pattern.Flag.CASE_INSENSITIVE,
                message = "must be an absolute http(s) URL") @Size(max = 2048) String link,
        Boolean silent) {
}
