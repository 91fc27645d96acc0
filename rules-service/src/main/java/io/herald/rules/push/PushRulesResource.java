package io.herald.rules.push;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.herald.common.Limits;
import io.herald.common.changes.ChangeEvent;
import io.herald.pushrules.InvalidPushRuleException;
import io.herald.pushrules.PushAction;
import io.herald.pushrules.PushRule;
import io.herald.pushrules.PushRuleSet;
import io.herald.pushrules.PushRuleValidator;
import io.herald.pushrules.PushRulesJson;
import io.herald.pushrules.RuleKind;
import io.herald.pushrules.defaults.ServerDefaults;
import io.herald.security.MatrixApi;
import io.herald.security.Roles;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.util.List;

/**
 * The Matrix client-server push-rule API ({@code /_matrix/client/v3/pushrules/...}) per user, under
 * {@code /v1/users/{userId}/pushrules/...}; errors are Matrix errors ({@code {"errcode", "error"}}). The user calls with
 * their own Matrix access token (checked with the homeserver's whoami), or an admin with a Herald token.
 */
@Path("/v1/users/{userId}/pushrules")
@Produces(MediaType.APPLICATION_JSON)
@MatrixApi
@RolesAllowed({Roles.ADMIN, Roles.MATRIX_USER})
@OwnMatrixUser
public class PushRulesResource {

    private final PushCache cache;
    private final PushStore store;
    private final PushRulesService service;

    PushRulesResource(PushCache cache, PushStore store, PushRulesService service) {
        this.cache = cache;
        this.store = store;
        this.service = service;
    }

    /** {@code GET .../pushrules} and {@code .../pushrules/} (Quarkus REST matches both). */
    @GET
    public JsonNode all(@PathParam("userId") String userId) {
        return PushRulesJson.toGlobalJson(cache.effective(user(userId)));
    }

    @GET
    @Path("global")
    public JsonNode global(@PathParam("userId") String userId) {
        return PushRulesJson.toJson(cache.effective(user(userId)));
    }

    @GET
    @Path("global/{kind}/{ruleId}")
    public JsonNode get(@PathParam("userId") String userId, @PathParam("kind") String kind,
            @PathParam("ruleId") String ruleId) {
        RuleKind k = kindOrNotFound(kind);
        return PushRulesJson.toJson(k, find(user(userId), k, ruleId));
    }

    @PUT
    @Path("global/{kind}/{ruleId}")
    @Consumes(MediaType.WILDCARD)
    public JsonNode put(@PathParam("userId") String userId, @PathParam("kind") String kind,
            @PathParam("ruleId") String ruleId, @QueryParam("before") String before, @QueryParam("after") String after,
            String body) {
        user(userId);
        RuleKind k = RuleKind.fromWireName(kind);
        if (k == null) {
            throw MatrixError.invalidParam("kind must be one of override, content, room, sender, underride");
        }
        ruleId(ruleId);
        JsonNode json = parse(body);
        PushRule rule;
        try {
            rule = PushRuleValidator.parseUserRule(k, ruleId, json);
        } catch (InvalidPushRuleException e) {
            throw MatrixError.invalidParam(e.getMessage());
        }
        for (String anchor : new String[] {before, after}) {
            if (anchor != null && anchor.startsWith(".")) {
                throw new MatrixError(400, "M_UNKNOWN", "before/after rule not found: " + anchor
                        + " (rules cannot be placed relative to server-default rules)");
            }
        }
        service.put(userId, k, rule, before, after);
        cache.changed(ChangeEvent.Kind.RULES, userId);
        return empty();
    }

    @DELETE
    @Path("global/{kind}/{ruleId}")
    public JsonNode delete(@PathParam("userId") String userId, @PathParam("kind") String kind,
            @PathParam("ruleId") String ruleId) {
        RuleKind k = kindOrNotFound(kind);
        user(userId);
        if (ruleId.startsWith(".") && ServerDefaults.ruleset(cache.profile(), userId).find(k, ruleId).isPresent()) {
            throw MatrixError.invalidParam("server-default rules cannot be deleted; disable them instead");
        }
        if (!store.deleteRule(userId, k, ruleId(ruleId))) {
            throw MatrixError.notFound();
        }
        cache.changed(ChangeEvent.Kind.RULES, userId);
        return empty();
    }

    @GET
    @Path("global/{kind}/{ruleId}/enabled")
    public JsonNode enabled(@PathParam("userId") String userId, @PathParam("kind") String kind,
            @PathParam("ruleId") String ruleId) {
        RuleKind k = kindOrNotFound(kind);
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("enabled", find(user(userId), k, ruleId).enabled());
        return o;
    }

    @PUT
    @Path("global/{kind}/{ruleId}/enabled")
    @Consumes(MediaType.WILDCARD)
    public JsonNode setEnabled(@PathParam("userId") String userId, @PathParam("kind") String kind,
            @PathParam("ruleId") String ruleId, String body) {
        RuleKind k = kindOrNotFound(kind);
        JsonNode enabled = parse(body).get("enabled");
        if (enabled == null || !enabled.isBoolean()) {
            throw MatrixError.invalidParam("enabled is required and must be a boolean");
        }
        change(user(userId), k, ruleId, enabled.booleanValue(), null);
        return empty();
    }

    @GET
    @Path("global/{kind}/{ruleId}/actions")
    public JsonNode actions(@PathParam("userId") String userId, @PathParam("kind") String kind,
            @PathParam("ruleId") String ruleId) {
        RuleKind k = kindOrNotFound(kind);
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.set("actions", PushRulesJson.actionsToJson(find(user(userId), k, ruleId).actions()));
        return o;
    }

    @PUT
    @Path("global/{kind}/{ruleId}/actions")
    @Consumes(MediaType.WILDCARD)
    public JsonNode setActions(@PathParam("userId") String userId, @PathParam("kind") String kind,
            @PathParam("ruleId") String ruleId, String body) {
        RuleKind k = kindOrNotFound(kind);
        List<PushAction> actions;
        try {
            actions = PushRuleValidator.parseActions(parse(body).get("actions"));
        } catch (InvalidPushRuleException e) {
            throw MatrixError.invalidParam(e.getMessage());
        }
        change(user(userId), k, ruleId, null, actions);
        return empty();
    }

    /** Changes enabled or actions of a user rule (in place) or of a server-default rule (as an override). */
    private void change(String userId, RuleKind kind, String ruleId, Boolean enabled, List<PushAction> actions) {
        service.change(userId, kind, ruleId, enabled, actions, ServerDefaults.ruleset(cache.profile(), userId));
        cache.changed(ChangeEvent.Kind.RULES, userId);
    }

    private PushRule find(String userId, RuleKind kind, String ruleId) {
        PushRuleSet effective = cache.effective(userId);
        return effective.find(kind, ruleId).orElseThrow(MatrixError::notFound);
    }

    private static RuleKind kindOrNotFound(String kind) {
        RuleKind k = RuleKind.fromWireName(kind);
        if (k == null) {
            throw MatrixError.notFound();
        }
        return k;
    }

    static String user(String userId) {
        if (Limits.userIdProblem(userId) != null) {
            throw MatrixError.invalidParam("not a Matrix user id (at most 255 bytes, no whitespace or control"
                    + " characters): " + userId);
        }
        return userId;
    }

    /** A rule id that can be stored: at most 255 bytes, no control characters. */
    private static String ruleId(String ruleId) {
        String problem = Limits.matrixStringProblem(ruleId);
        if (problem != null) {
            throw MatrixError.invalidParam("rule id " + problem);
        }
        return ruleId;
    }

    static JsonNode parse(String body) {
        try {
            JsonNode json = body == null || body.isBlank() ? null : PushRulesJson.MAPPER.readTree(body);
            if (json == null || !json.isObject()) {
                throw new MatrixError(400, "M_NOT_JSON", "the request body must be a JSON object");
            }
            return json;
        } catch (JsonProcessingException e) {
            throw new MatrixError(400, "M_NOT_JSON", "content not JSON: " + e.getOriginalMessage());
        }
    }

    static ObjectNode empty() {
        return JsonNodeFactory.instance.objectNode();
    }
}
