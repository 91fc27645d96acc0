package io.herald.rules.push;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.herald.common.Limits;
import io.herald.common.changes.ChangeEvent;
import io.herald.pushrules.DefaultsProfile;
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

    /**
     * MSC4306's unstable kind: Synapse lists it (empty) in every ruleset and refuses user rules of it; Herald does the
     * same, and lists it only with the {@code synapse} profile.
     */
    static final String POSTCONTENT = "postcontent";

    /** {@code GET .../pushrules} and {@code .../pushrules/} (Quarkus REST matches both). */
    @GET
    public JsonNode all(@PathParam("userId") String userId) {
        ObjectNode all = JsonNodeFactory.instance.objectNode();
        all.set("global", global(userId));
        return all;
    }

    @GET
    @Path("global")
    public JsonNode global(@PathParam("userId") String userId) {
        ObjectNode global = PushRulesJson.toJson(cache.effective(user(userId)));
        if (cache.profile() == DefaultsProfile.SYNAPSE) {
            global.putArray(POSTCONTENT);
        }
        return global;
    }

    /** {@code GET .../global/{kind}/}: the rules of one kind, as Synapse serves it. */
    @GET
    @Path("global/{kind}")
    public JsonNode kind(@PathParam("userId") String userId, @PathParam("kind") String kind) {
        JsonNode rules = global(userId).get(kind);
        if (rules == null) {
            throw MatrixError.unrecognized();
        }
        return rules;
    }

    @GET
    @Path("global/{kind}/{ruleId}")
    public JsonNode get(@PathParam("userId") String userId, @PathParam("kind") String kind,
            @PathParam("ruleId") String ruleId) {
        RuleKind k = kindOrUnrecognized(kind);
        return PushRulesJson.toJson(k, find(user(userId), k, ruleId));
    }

    @PUT
    @Path("global/{kind}/{ruleId}")
    @Consumes(MediaType.WILDCARD)
    public JsonNode put(@PathParam("userId") String userId, @PathParam("kind") String kind,
            @PathParam("ruleId") String ruleId, @QueryParam("before") String before, @QueryParam("after") String after,
            String body) {
        // Checks in Synapse's order, with its errcodes (docs/architecture.md, "Herald and Synapse")
        user(userId);
        RuleKind k = kindForPut(kind);
        if (ruleId.indexOf('/') >= 0 || ruleId.indexOf('\\') >= 0) {
            throw MatrixError.unknown("rule_id may not contain slashes");
        }
        ruleId(ruleId);
        JsonNode json = parseAny(body);
        if (ruleId.startsWith(".")) {
            throw MatrixError.unknown("cannot add new rule_ids that start with '.'");
        }
        if (k == null) {
            throw MatrixError.invalidParam("user-defined rules using `postcontent` are not accepted");
        }
        PushRule rule;
        try {
            rule = PushRuleValidator.parseUserRule(k, ruleId, json);
        } catch (InvalidPushRuleException e) {
            throw MatrixError.unknown(e.getMessage());
        }
        for (String anchor : new String[] {before, after}) {
            if (anchor != null && anchor.startsWith(".")) {
                throw MatrixError.unknown("before/after rule not found: " + anchor
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
        RuleKind k = RuleKind.fromWireName(kind);
        user(userId);
        // A server-default rule is not deleted: what the user changed of it (enabled, actions) is, as in Synapse;
        // one the user never changed is no rule of theirs (404)
        boolean deleted = k != null && Limits.matrixStringProblem(ruleId) == null
                && (ruleId.startsWith(".") ? store.deleteOverride(userId, k, ruleId) : store.deleteRule(userId, k, ruleId));
        if (!deleted) {
            throw MatrixError.notFound();
        }
        cache.changed(ChangeEvent.Kind.RULES, userId);
        return empty();
    }

    @GET
    @Path("global/{kind}/{ruleId}/enabled")
    public JsonNode enabled(@PathParam("userId") String userId, @PathParam("kind") String kind,
            @PathParam("ruleId") String ruleId) {
        return attribute(userId, kind, ruleId, "enabled");
    }

    /**
     * {@code GET .../{attr}}: one attribute of the rule as an object ({@code pattern}, {@code conditions}, ...), as
     * Synapse serves it; 400 {@code M_UNRECOGNIZED} for an attribute the rule does not have.
     */
    @GET
    @Path("global/{kind}/{ruleId}/{attr}")
    public JsonNode attribute(@PathParam("userId") String userId, @PathParam("kind") String kind,
            @PathParam("ruleId") String ruleId, @PathParam("attr") String attr) {
        RuleKind k = kindOrUnrecognized(kind);
        JsonNode value = PushRulesJson.toJson(k, find(user(userId), k, ruleId)).get(attr);
        if (value == null) {
            throw MatrixError.unrecognized();
        }
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.set(attr, value);
        return o;
    }

    @PUT
    @Path("global/{kind}/{ruleId}/enabled")
    @Consumes(MediaType.WILDCARD)
    public JsonNode setEnabled(@PathParam("userId") String userId, @PathParam("kind") String kind,
            @PathParam("ruleId") String ruleId, String body) {
        RuleKind k = kindForAttribute(kind);
        JsonNode value = parseAny(body);
        defaultRuleExists(userId, k, ruleId);
        // {"enabled": true}, or (as Synapse takes from older clients) a bare true
        JsonNode enabled = value.isObject() && value.has("enabled") ? value.get("enabled") : value;
        if (!enabled.isBoolean()) {
            throw MatrixError.unknown("Value for 'enabled' must be boolean");
        }
        change(user(userId), k, ruleId, enabled.booleanValue(), null);
        return empty();
    }

    @GET
    @Path("global/{kind}/{ruleId}/actions")
    public JsonNode actions(@PathParam("userId") String userId, @PathParam("kind") String kind,
            @PathParam("ruleId") String ruleId) {
        return attribute(userId, kind, ruleId, "actions");
    }

    @PUT
    @Path("global/{kind}/{ruleId}/actions")
    @Consumes(MediaType.WILDCARD)
    public JsonNode setActions(@PathParam("userId") String userId, @PathParam("kind") String kind,
            @PathParam("ruleId") String ruleId, String body) {
        RuleKind k = kindForAttribute(kind);
        JsonNode value = parseAny(body);
        defaultRuleExists(userId, k, ruleId);
        if (!value.isObject()) {
            throw MatrixError.unknown("Value must be a dict");
        }
        JsonNode given = value.get("actions");
        if (given == null || !given.isArray()) {
            throw MatrixError.unknown("Value for 'actions' must be dict");
        }
        List<PushAction> actions;
        try {
            actions = PushRuleValidator.parseActions(given);
        } catch (InvalidPushRuleException e) {
            throw MatrixError.unknown("Invalid actions: " + e.getMessage());
        }
        change(user(userId), k, ruleId, null, actions);
        return empty();
    }

    /** {@code PUT} of an attribute other than {@code enabled} and {@code actions}: 400 {@code M_UNRECOGNIZED} (Synapse). */
    @PUT
    @Path("global/{kind}/{ruleId}/{attr}")
    @Consumes(MediaType.WILDCARD)
    public JsonNode setAttribute(@PathParam("userId") String userId, @PathParam("kind") String kind,
            @PathParam("ruleId") String ruleId, @PathParam("attr") String attr, String body) {
        kindForPut(kind);
        parseAny(body);
        throw MatrixError.unrecognized();
    }

    /** PUT {@code .../enabled|actions} on a server-default rule id that is no rule: 404 before the value is read. */
    private void defaultRuleExists(String userId, RuleKind kind, String ruleId) {
        if (ruleId.startsWith(".") && ServerDefaults.ruleset(cache.profile(), user(userId)).find(kind, ruleId).isEmpty()) {
            throw MatrixError.notFound();
        }
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

    /** A kind to read: an unknown one is 400 {@code M_UNRECOGNIZED} (Synapse); {@code postcontent} has no rules. */
    private RuleKind kindOrUnrecognized(String kind) {
        RuleKind k = RuleKind.fromWireName(kind);
        if (k == null) {
            throw POSTCONTENT.equals(kind) && cache.profile() == DefaultsProfile.SYNAPSE
                    ? MatrixError.notFound() : MatrixError.unrecognized();
        }
        return k;
    }

    /** The kind of a new rule: null for {@code postcontent} (refused later, as Synapse does), else 400 {@code M_UNKNOWN}. */
    private static RuleKind kindForPut(String kind) {
        RuleKind k = RuleKind.fromWireName(kind);
        if (k == null && !POSTCONTENT.equals(kind)) {
            throw MatrixError.unknown("Unknown template: " + kind);
        }
        return k;
    }

    /** The kind of a rule whose enabled or actions change: {@code postcontent} has none (404). */
    private static RuleKind kindForAttribute(String kind) {
        RuleKind k = kindForPut(kind);
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
        JsonNode json = parseAny(body);
        if (!json.isObject()) {
            throw new MatrixError(400, "M_NOT_JSON", "the request body must be a JSON object");
        }
        return json;
    }

    /** Any JSON value (Synapse reads push-rule bodies so: a bare {@code true} is a valid {@code enabled}). */
    static JsonNode parseAny(String body) {
        try {
            JsonNode json = body == null || body.isBlank() ? null : PushRulesJson.MAPPER.readTree(body);
            if (json == null) {
                throw new MatrixError(400, "M_NOT_JSON", "content not JSON: the body is empty");
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
