package io.herald.rules.evaluation;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.herald.common.Json;
import io.herald.common.Limits;
import io.herald.common.problem.Problem;
import io.herald.security.Callers;
import io.herald.security.Roles;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;

/**
 * {@code GET /v1/notifications/{id}/evaluation}: what the push rules decided for a notification when it was planned.
 * A notification of another tenant's room is answered like one without an evaluation (404).
 */
@Path("/v1/notifications/{id}/evaluation")
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed(Roles.OPERATOR)
public class EvaluationResource {

    private final Evaluations evaluations;
    private final SecurityIdentity caller;

    EvaluationResource(Evaluations evaluations, SecurityIdentity caller) {
        this.evaluations = evaluations;
        this.caller = caller;
    }

    @GET
    @Operation(summary = "What the push rules decided for a notification",
            description = "Every member evaluated (members with a pusher, but the sender; notified ones first, at most"
                    + " 1,000): whether they were notified, the rule that matched (rule_id null: none), its actions"
                    + " and tweaks. 404 when the notification had no member to evaluate, is unknown, or was pruned"
                    + " (herald.rules.events.retention).")
    public ObjectNode evaluation(@PathParam("id") String id) throws JsonProcessingException {
        Evaluations.Stored stored = Limits.idProblem(id) != null ? null : evaluations.find(id);
        if (stored == null || !Callers.mayAccess(caller, stored.tenant())) {
            throw Problem.exception(Response.Status.NOT_FOUND, "no evaluation of notification '" + id + "'");
        }
        ObjectNode out = JsonNodeFactory.instance.objectNode();
        out.put("notification_id", stored.notificationId());
        out.put("room", stored.room());
        out.put("evaluated_at", stored.evaluatedAt().toString());
        out.put("member_count", stored.memberCount());
        out.put("notified_count", stored.notifiedCount());
        out.set("members", Json.MAPPER.readTree(stored.membersJson()));
        return out;
    }
}
