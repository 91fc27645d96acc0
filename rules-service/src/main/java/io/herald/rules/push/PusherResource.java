package io.herald.rules.push;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.herald.common.Limits;
import io.herald.common.changes.ChangeEvent;
import io.herald.security.MatrixApi;
import io.herald.security.Roles;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** The Matrix pusher API ({@code GET /pushers}, {@code POST /pushers/set}) per user, under {@code /v1/users/{userId}}. */
@Path("/v1/users/{userId}/pushers")
@Produces(MediaType.APPLICATION_JSON)
@MatrixApi
@RolesAllowed({Roles.ADMIN, Roles.MATRIX_USER})
@OwnMatrixUser
public class PusherResource {

    static final String NOTIFY_PATH = "/_matrix/push/v1/notify";
    /** The column's size; language tags are far shorter. */
    private static final int LANG_MAX_CHARS = 64;

    private final PushStore store;
    private final PushCache cache;

    PusherResource(PushStore store, PushCache cache) {
        this.store = store;
        this.cache = cache;
    }

    @GET
    public JsonNode list(@PathParam("userId") String userId) {
        ObjectNode out = JsonNodeFactory.instance.objectNode();
        ArrayNode arr = out.putArray("pushers");
        for (PushStore.PusherRow p : store.pushers(PushRulesResource.user(userId))) {
            ObjectNode o = arr.addObject();
            o.put("pushkey", p.pushkey());
            o.put("kind", p.kind());
            o.put("app_id", p.appId());
            o.put("app_display_name", p.appDisplayName());
            o.put("device_display_name", p.deviceDisplayName());
            if (p.profileTag() != null) {
                o.put("profile_tag", p.profileTag());
            }
            o.put("lang", p.lang());
            o.set("data", p.data());
        }
        return out;
    }

    @POST
    @Path("set")
    @Consumes(MediaType.WILDCARD)
    public JsonNode set(@PathParam("userId") String userId, String body) {
        PushRulesResource.user(userId);
        JsonNode json = PushRulesResource.parse(body);
        List<String> missing = new ArrayList<>();
        if (!json.has("kind")) {
            missing.add("kind");
        }
        String appId = requiredString(json, "app_id", missing);
        String pushkey = requiredString(json, "pushkey", missing);
        // the always-required parameters first; the others only matter once kind is known not to be null
        missingParams(missing);
        JsonNode kind = json.get("kind");
        if (kind.isNull()) {
            if (store.deletePusher(userId, appId, pushkey)) {
                cache.changed(ChangeEvent.Kind.PUSHERS, userId);
            }
            return PushRulesResource.empty();
        }
        String appDisplayName = requiredString(json, "app_display_name", missing);
        String deviceDisplayName = requiredString(json, "device_display_name", missing);
        String lang = requiredString(json, "lang", missing);
        JsonNode data = json.get("data");
        if (data == null || data.isNull()) {
            missing.add("data");
        }
        missingParams(missing);
        if (!kind.isTextual()) {
            throw MatrixError.invalidParam("kind must be a string or null");
        }
        if (!"http".equals(kind.textValue())) {
            throw MatrixError.invalidParam("only pushers of kind \"http\" are supported, got \"" + kind.textValue() + "\"");
        }
        if (appId.length() > Limits.APP_ID_MAX_CHARS) {
            throw MatrixError.invalidParam("app_id must be at most " + Limits.APP_ID_MAX_CHARS + " characters");
        }
        if (Limits.utf8Length(pushkey) > Limits.PUSHKEY_MAX_BYTES) {
            throw MatrixError.invalidParam("pushkey must be at most " + Limits.PUSHKEY_MAX_BYTES + " bytes");
        }
        if (lang.length() > LANG_MAX_CHARS) {
            throw MatrixError.invalidParam("lang must be at most " + LANG_MAX_CHARS + " characters");
        }
        if (!data.isObject()) {
            throw MatrixError.invalidParam("data must be an object");
        }
        JsonNode url = data.get("url");
        if (url == null || url.isNull()) {
            throw new MatrixError(400, "M_MISSING_PARAM", "Missing parameters: data.url");
        }
        if (!url.isTextual() || !validGatewayUrl(url.textValue())) {
            throw MatrixError.invalidParam("data.url must be an http(s) URL whose path is " + NOTIFY_PATH
                    + ", at most " + Limits.PUSHER_URL_MAX_CHARS + " characters");
        }
        // Every push delivery carries data: bounded, so that no pusher makes a delivery too large to publish.
        long dataSize = Limits.encodedSize(data);
        if (dataSize > Limits.PUSHER_DATA_MAX_BYTES) {
            throw MatrixError.invalidParam("data must be at most " + Limits.PUSHER_DATA_MAX_BYTES
                    + " bytes as JSON (has " + dataSize + ")");
        }
        JsonNode format = data.get("format");
        if (format != null && !(format.isTextual() && "event_id_only".equals(format.textValue()))) {
            throw MatrixError.invalidParam("data.format must be \"event_id_only\" when given");
        }
        String profileTag = null;
        JsonNode tag = json.get("profile_tag");
        if (tag != null && !tag.isNull()) {
            if (!tag.isTextual()) {
                throw MatrixError.invalidParam("profile_tag must be a string");
            }
            profileTag = printable("profile_tag", tag.textValue());
        }
        JsonNode append = json.get("append");
        if (append != null && !append.isNull() && !append.isBoolean()) {
            throw MatrixError.invalidParam("append must be a boolean");
        }
        Set<String> changed = store.setPusher(new PushStore.PusherRow(userId, appId, pushkey, kind.textValue(),
                appDisplayName, deviceDisplayName, profileTag, lang, (ObjectNode) data, System.currentTimeMillis()),
                append != null && append.asBoolean(false));
        changed.forEach(user -> cache.changed(ChangeEvent.Kind.PUSHERS, user));
        return PushRulesResource.empty();
    }

    static boolean validGatewayUrl(String url) {
        if (url.length() > Limits.PUSHER_URL_MAX_CHARS || Limits.firstUnprintable(url) >= 0) {
            return false;
        }
        try {
            URI uri = new URI(url);
            String scheme = uri.getScheme();
            return ("https".equalsIgnoreCase(scheme) || "http".equalsIgnoreCase(scheme)) && uri.getHost() != null
                    && uri.getPath() != null && uri.getPath().endsWith(NOTIFY_PATH);
        } catch (URISyntaxException e) {
            return false;
        }
    }

    private static String requiredString(JsonNode json, String field, List<String> missing) {
        JsonNode v = json.get(field);
        if (v == null || v.isNull()) {
            missing.add(field);
            return null;
        }
        if (!v.isTextual() || v.textValue().isEmpty()) {
            throw MatrixError.invalidParam(field + " must be a non-empty string");
        }
        return printable(field, v.textValue());
    }

    /** No control characters (PostgreSQL cannot store NUL; none has a meaning in these fields). */
    private static String printable(String field, String value) {
        String problem = Limits.unprintableProblem(value);
        if (problem != null) {
            throw MatrixError.invalidParam(field + " " + problem);
        }
        return value;
    }

    private static void missingParams(List<String> missing) {
        if (!missing.isEmpty()) {
            throw new MatrixError(400, "M_MISSING_PARAM", "Missing parameters: " + String.join(", ", missing));
        }
    }
}
