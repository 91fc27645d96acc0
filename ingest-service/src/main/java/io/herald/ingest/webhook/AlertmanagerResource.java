package io.herald.ingest.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.core.type.TypeReference;
import io.herald.common.Json;
import io.herald.common.Limits;
import io.herald.common.Relations;
import io.herald.ingest.auth.ApiKey;
import io.herald.ingest.template.Rendered;
import io.herald.ingest.template.Templates;
import io.smallrye.common.annotation.Blocking;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Objects;
import java.util.Optional;
import org.jboss.logging.Logger;
import io.herald.common.MatrixEvent;
import io.herald.ingest.HttpProblemException;
import io.herald.ingest.IngestConfig;
import io.herald.ingest.auth.Caller;
import io.herald.ingest.auth.RoomAccess;
import io.herald.security.Roles;
import io.herald.ingest.notification.Accepted;
import io.herald.ingest.notification.Contents;
import io.herald.ingest.notification.Intake;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.constraints.Pattern;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * Prometheus Alertmanager's webhook receiver (payload version 4). Point a receiver at
 * {@code http://ingest:8081/v1/rooms/<room>/webhooks/alertmanager} with {@code http_config.authorization.credentials}
 * set to the API key.
 */
@Path("/v1/rooms/{room}/webhooks/alertmanager")
@Consumes(MediaType.APPLICATION_JSON)
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "webhooks")
@SecurityRequirement(name = "apiKey")
@RolesAllowed(Roles.PUBLISHER)
@RoomAccess
public class AlertmanagerResource {

    private static final Logger LOG = Logger.getLogger(AlertmanagerResource.class);
    private static final TypeReference<LinkedHashMap<String, Object>> LINKED_MAP = new TypeReference<>() {
    };

    private final Intake intake;
    private final Caller caller;
    private final IngestConfig.Alertmanager config;
    private final Templates templates;
    private final AlertMessages alertMessages;

    AlertmanagerResource(Intake intake, Caller caller, IngestConfig config, Templates templates,
            AlertMessages alertMessages) {
        this.intake = intake;
        this.caller = caller;
        this.config = config.alertmanager();
        this.templates = templates;
        this.alertMessages = alertMessages;
    }

    @POST
    @Blocking
    @Operation(summary = "Alertmanager webhook (v4)",
            description = "One notification per alert (mode=alert) or per call (mode=group); resolved ones are m.notice.")
    @APIResponse(responseCode = "202", description = "on Kafka", content = @Content(schema = @Schema(implementation = Accepted.class)))
    @APIResponse(responseCode = "400", description = "not an Alertmanager v4 payload")
    @APIResponse(responseCode = "401", description = "missing or unknown API key")
    @APIResponse(responseCode = "403", description = "the API key may not post to this room")
    @APIResponse(responseCode = "429", description = "rate limit; see Retry-After")
    @APIResponse(responseCode = "503", description = "Kafka did not acknowledge in time")
    public Uni<Response> post(@PathParam("room") @Pattern(regexp = Limits.ROOM_KEY_PATTERN,
            message = Limits.ROOM_KEY_MESSAGE) String room,
            @Parameter(description = "alert or group (default: herald.ingest.alertmanager.mode)")
            @QueryParam("mode") String mode,
            @HeaderParam("Idempotency-Key") String idempotencyKey, byte[] body) {
        String effectiveMode = mode == null || mode.isBlank() ? config.mode() : mode;
        if (!effectiveMode.equals("alert") && !effectiveMode.equals("group")) {
            throw HttpProblemException.badField("mode", "must be alert or group");
        }
        JsonNode payload = Payloads.object(body);
        JsonNode alerts = payload.get("alerts");
        if (alerts == null || !alerts.isArray() || alerts.isEmpty()) {
            throw HttpProblemException.badField("alerts", "must be a non-empty array of alerts");
        }
        for (int i = 0; i < alerts.size(); i++) {
            JsonNode alert = alerts.get(i);
            if (!alert.isObject()) {
                throw HttpProblemException.badField("alerts[" + i + "]", "must be an object");
            }
            String status = Payloads.text(alert.get("status"));
            if (!"firing".equals(status) && !"resolved".equals(status)) {
                throw HttpProblemException.badField("alerts[" + i + "].status", "must be firing or resolved");
            }
        }
        ApiKey key = caller.key();
        String sender = key.sender();
        if (effectiveMode.equals("group")) {
            return intake.accept(key, room, idempotencyKey,
                    () -> effectiveMode + "\n" + new String(body, StandardCharsets.UTF_8),
                    List.of(groupDraft(sender, payload, alerts))).map(Accepted::response);
        }
        Templates.Compiled template = templates.of("alertmanager").orElseThrow();
        Map<String, Object> document = Json.MAPPER.convertValue(payload, LINKED_MAP);
        List<Intake.Draft> drafts = new ArrayList<>();
        List<JsonNode> firings = new ArrayList<>();
        for (JsonNode alert : alerts) {
            boolean resolved = "resolved".equals(alert.get("status").asText());
            Rendered message = Rendered.of(template, Map.of("alert", view(alert), "payload", document),
                    link(Payloads.text(alert.get("generatorURL")), Payloads.text(payload.get("externalURL"))),
                    resolved ? Boolean.valueOf(config.resolvedSilent()) : null, false, key.mayMentionRoom(),
                    alertName(alert));
            String fingerprint = Payloads.text(alert.get("fingerprint"));
            String startsAt = Objects.requireNonNullElse(Payloads.text(alert.get("startsAt")), "");
            Optional<String> firing = resolved && fingerprint != null
                    ? firingOf(key.tenant(), room, fingerprint, startsAt) : Optional.empty();
            // a resolution edits its firing's message (m.replace) instead of posting another one
            Map<String, Object> content = firing.map(id -> Relations.replacement(id, message.content()))
                    .orElse(message.content());
            drafts.add(new Intake.Draft(MatrixEvent.message(sender, content), "alertmanager", message.priority()));
            firings.add(!resolved && fingerprint != null ? alert : null);
        }
        return intake.accept(key, room, idempotencyKey,
                () -> effectiveMode + "\n" + new String(body, StandardCharsets.UTF_8), drafts)
                .call(ids -> Uni.createFrom().item(() -> {
                    remember(key.tenant(), room, firings, ids);
                    return ids;
                }).runSubscriptionOn(Infrastructure.getDefaultWorkerPool()))
                .map(Accepted::response);
    }

    private Optional<String> firingOf(String tenant, String room, String fingerprint, String startsAt) {
        try {
            return alertMessages.firing(tenant, room, fingerprint, startsAt);
        } catch (SQLException e) {
            LOG.warnf("alert %s: its firing message could not be looked up, posting the resolution as a message: %s",
                    fingerprint, e.getMessage());
            return Optional.empty();
        }
    }

    private void remember(String tenant, String room, List<JsonNode> firings, List<String> ids) {
        for (int i = 0; i < firings.size() && i < ids.size(); i++) {
            JsonNode alert = firings.get(i);
            if (alert == null) {
                continue;
            }
            String fingerprint = Payloads.text(alert.get("fingerprint"));
            try {
                alertMessages.remember(tenant, room, fingerprint,
                        Objects.requireNonNullElse(Payloads.text(alert.get("startsAt")), ""), ids.get(i));
            } catch (SQLException e) {
                LOG.warnf("alert %s: its firing message could not be remembered (its resolution will be a message of"
                        + " its own): %s", fingerprint, e.getMessage());
            }
        }
    }

    /** What templates see of one alert ({@code alert.*}, see docs/templates.md). */
    static Map<String, Object> view(JsonNode alert) {
        Map<String, String> labels = labels(alert.get("labels"));
        Map<String, String> annotations = labels(alert.get("annotations"));
        List<String> annotationLines = new ArrayList<>();
        Map<String, String> rest = new TreeMap<>(annotations);
        for (String key : List.of("summary", "description")) {
            String value = rest.remove(key);
            if (value != null) {
                annotationLines.add(value);
            }
        }
        rest.forEach((k, v) -> annotationLines.add(k + ": " + v));
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("status", alert.get("status").asText());
        view.put("resolved", "resolved".equals(alert.get("status").asText()));
        view.put("name", alertName(alert));
        view.put("labels", labels);
        view.put("annotations", annotations);
        view.put("annotationLines", annotationLines);
        view.put("labelText", labels.isEmpty() ? "" : format(labels));
        for (String field : List.of("startsAt", "endsAt", "generatorURL", "fingerprint")) {
            view.put(field, Objects.requireNonNullElse(Payloads.text(alert.get(field)), ""));
        }
        return view;
    }

    private Intake.Draft draft(String sender, String subject, String body, String link, boolean resolved) {
        // a refused call would lose the alert for the room: a message too long for a Matrix event is cut instead
        return new Intake.Draft(MatrixEvent.message(sender, Contents.fitted(Contents.truncate(subject, 1024), body, link,
                resolved && config.resolvedSilent(), false)), "alertmanager");
    }

    private Intake.Draft groupDraft(String sender, JsonNode payload, JsonNode alerts) {
        int firing = 0;
        for (JsonNode alert : alerts) {
            if ("firing".equals(alert.get("status").asText())) {
                firing++;
            }
        }
        boolean resolved = firing == 0;
        Map<String, String> groupLabels = labels(payload.get("groupLabels"));
        Map<String, String> commonLabels = labels(payload.get("commonLabels"));
        String name = !groupLabels.isEmpty() ? String.join(" ", groupLabels.values())
                : commonLabels.getOrDefault("alertname", "alerts");
        String subject = resolved ? "[RESOLVED] " + name
                : "[FIRING:" + firing + "] " + name + (firing < alerts.size() ? " (" + (alerts.size() - firing)
                        + " resolved)" : "");
        StringBuilder body = new StringBuilder();
        Map<String, String> commonAnnotations = labels(payload.get("commonAnnotations"));
        appendAnnotations(body, commonAnnotations);
        if (!commonLabels.isEmpty()) {
            body.append("Labels: ").append(format(commonLabels)).append('\n');
        }
        for (JsonNode alert : alerts) {
            body.append('\n').append("- [").append(alert.get("status").asText()).append("] ");
            Map<String, String> own = labels(alert.get("labels"));
            own.keySet().removeAll(commonLabels.keySet());
            body.append(own.isEmpty() ? alertName(alert) : format(own));
            Map<String, String> annotations = labels(alert.get("annotations"));
            annotations.keySet().removeAll(commonAnnotations.keySet());
            String summary = annotations.getOrDefault("summary", annotations.get("description"));
            if (summary != null) {
                body.append(": ").append(summary);
            }
        }
        int truncated = payload.path("truncatedAlerts").asInt(0);
        if (truncated > 0) {
            body.append("\n\n").append(truncated).append(" more alerts were truncated by Alertmanager");
        }
        return draft(sender, subject, body.toString().strip(), link(Payloads.text(payload.get("externalURL")), null),
                resolved);
    }

    private static String alertName(JsonNode alert) {
        return labels(alert.get("labels")).getOrDefault("alertname", "alert");
    }

    private static void appendAnnotations(StringBuilder body, Map<String, String> annotations) {
        Map<String, String> rest = new TreeMap<>(annotations);
        for (String key : List.of("summary", "description")) {
            String value = rest.remove(key);
            if (value != null) {
                body.append(value).append('\n');
            }
        }
        rest.forEach((k, v) -> body.append(k).append(": ").append(v).append('\n'));
    }

    private static String format(Map<String, String> labels) {
        StringBuilder s = new StringBuilder();
        labels.forEach((k, v) -> s.append(s.length() == 0 ? "" : ", ").append(k).append('=').append(v));
        return s.toString();
    }

    /** Sorted, alertname first. */
    private static Map<String, String> labels(JsonNode node) {
        Map<String, String> labels = new TreeMap<>((a, b) -> a.equals(b) ? 0
                : a.equals("alertname") ? -1 : b.equals("alertname") ? 1 : a.compareTo(b));
        if (node != null && node.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext();) {
                Map.Entry<String, JsonNode> e = it.next();
                String value = Payloads.text(e.getValue());
                if (value != null) {
                    labels.put(e.getKey(), value);
                }
            }
        }
        return labels;
    }

    private static String link(String first, String second) {
        for (String candidate : new String[] {first, second}) {
            if (candidate != null && candidate.length() <= 2048 && candidate.matches("(?i)https?://\\S+")) {
                return candidate;
            }
        }
        return null;
    }
}
