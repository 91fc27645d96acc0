package io.herald.dispatcher.http;

import io.herald.dispatcher.DispatcherConfig;
import io.vertx.core.json.JsonObject;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

/**
 * The one place that reads the waits homeservers and gateways ask for: {@code Retry-After} (delta seconds or an HTTP
 * date) first, then the body's {@code retry_after_ms}, clamped to {@code [0, herald.dispatcher.retry-after.max]}: zero
 * or less means "retry now", an absurd value (days, or more digits than a long holds) the maximum.
 */
@ApplicationScoped
public class RetryAfter {

    private final Duration max;

    @Inject
    RetryAfter(DispatcherConfig config) {
        this(config.retryAfter().max());
    }

    public RetryAfter(Duration max) {
        this.max = max;
    }

    /** The clamped wait, or null when the peer named none (use the backoff). */
    public Duration of(String header, JsonObject body) {
        if (header != null && !header.isBlank()) {
            Duration fromHeader = header(header.trim());
            if (fromHeader != null) {
                return fromHeader;
            }
        }
        Object millis = body == null ? null : body.getValue("retry_after_ms");
        if (millis instanceof Number n) {
            double ms = n.doubleValue();
            if (Double.isNaN(ms) || ms <= 0) {
                return Duration.ZERO;
            }
            return ms >= max.toMillis() ? max : Duration.ofMillis((long) ms);
        }
        return null;
    }

    private Duration header(String header) {
        if (header.chars().allMatch(Character::isDigit)) {
            return header.length() > 12 ? max : clamp(Duration.ofSeconds(Long.parseLong(header)));
        }
        if (header.startsWith("-") && header.length() > 1 && header.substring(1).chars().allMatch(Character::isDigit)) {
            return Duration.ZERO;
        }
        try {
            return clamp(Duration.between(Instant.now(),
                    ZonedDateTime.parse(header, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant()));
        } catch (DateTimeParseException e) {
            return null; // garbage: fall through to the body, then the backoff
        }
    }

    private Duration clamp(Duration wait) {
        if (wait.isNegative()) {
            return Duration.ZERO;
        }
        return wait.compareTo(max) > 0 ? max : wait;
    }
}
