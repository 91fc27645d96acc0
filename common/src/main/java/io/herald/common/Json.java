package io.herald.common;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.io.IOException;
import java.time.Instant;

/**
 * The JSON codec of Herald's Kafka records: snake_case (like Matrix), ISO-8601 instants, nulls left out,
 * unknown fields tolerated (so a newer producer does not break an older consumer).
 */
public final class Json {
    public static final ObjectMapper MAPPER = new ObjectMapper()
            .registerModule(new JavaTimeModule())
            .registerModule(new SimpleModule("herald-instants").addDeserializer(Instant.class, new FastInstantDeserializer()))
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .setSerializationInclusion(JsonInclude.Include.NON_NULL)
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private Json() {
    }

    public static String encode(Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("cannot encode " + value.getClass().getSimpleName(), e);
        }
    }

    /** Decodes a record value; anything unreadable is an {@link InvalidRecordException} with a readable reason. */
    public static <T> T decode(String json, Class<T> type) {
        if (json == null || json.isBlank()) {
            throw new InvalidRecordException("empty record value");
        }
        try {
            T value = MAPPER.readValue(json, type);
            if (value == null) {
                throw new InvalidRecordException("record value is JSON null");
            }
            return value;
        } catch (JsonProcessingException e) {
            throw new InvalidRecordException("not a valid " + type.getSimpleName() + ": " + e.getOriginalMessage(), e);
        }
    }

    /** As {@link #decode(String, Class)}, from the record's UTF-8 bytes (no intermediate String). */
    public static <T> T decode(byte[] json, Class<T> type) {
        if (json == null || json.length == 0) {
            throw new InvalidRecordException("empty record value");
        }
        try {
            T value = MAPPER.readValue(json, type);
            if (value == null) {
                throw new InvalidRecordException("record value is JSON null or blank");
            }
            return value;
        } catch (JsonProcessingException e) {
            throw new InvalidRecordException("not a valid " + type.getSimpleName() + ": " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new InvalidRecordException("not a valid " + type.getSimpleName() + ": " + e.getMessage(), e);
        }
    }

    public static Delivery decodeDelivery(byte[] json) {
        Delivery delivery = decode(json, Delivery.class);
        delivery.validate();
        return delivery;
    }

    public static NotificationEvent decodeNotification(String json) {
        NotificationEvent event = decode(json, NotificationEvent.class);
        event.validate();
        return event;
    }

    public static Delivery decodeDelivery(String json) {
        Delivery delivery = decode(json, Delivery.class);
        delivery.validate();
        return delivery;
    }
}
