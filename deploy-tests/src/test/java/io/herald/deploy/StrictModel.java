package io.herald.deploy;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * Core kinds parsed with the fabric8 Kubernetes model, refusing unknown fields. The fabric8 classes keep unknown
 * fields in {@code additionalProperties} instead of failing, so after parsing the object tree is walked and any
 * non-empty {@code additionalProperties} is reported with its path.
 */
final class StrictModel {

    static final Map<String, Class<? extends HasMetadata>> CORE_KINDS = Map.of(
            "apps/v1 Deployment", Deployment.class,
            "v1 Service", Service.class,
            "v1 ConfigMap", ConfigMap.class,
            "v1 Secret", Secret.class,
            "policy/v1 PodDisruptionBudget", PodDisruptionBudget.class,
            "networking.k8s.io/v1 NetworkPolicy", NetworkPolicy.class,
            "autoscaling/v2 HorizontalPodAutoscaler", HorizontalPodAutoscaler.class);

    private static final ObjectMapper MAPPER = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);

    private StrictModel() {
    }

    /** The model class for a document's apiVersion and kind, or null when it is not a core kind parsed here. */
    static Class<? extends HasMetadata> classFor(JsonNode doc) {
        return CORE_KINDS.get(doc.path("apiVersion").asText() + " " + doc.path("kind").asText());
    }

    /** Parses the document into its model class; the problems found (unknown fields, type errors), empty if none. */
    static List<String> problems(JsonNode doc) {
        Class<? extends HasMetadata> type = classFor(doc);
        if (type == null) {
            return List.of("not a core kind: " + doc.path("apiVersion").asText() + " " + doc.path("kind").asText());
        }
        Object parsed;
        try {
            parsed = MAPPER.treeToValue(doc, type);
        } catch (Exception e) {
            return List.of("does not parse as " + type.getSimpleName() + ": " + e.getMessage());
        }
        List<String> problems = new ArrayList<>();
        walk(parsed, "", problems, 0);
        return problems;
    }

    private static void walk(Object value, String path, List<String> problems, int depth) {
        if (value == null || depth > 60) {
            return;
        }
        if (value instanceof Collection<?> list) {
            int i = 0;
            for (Object item : list) {
                walk(item, path + "[" + i++ + "]", problems, depth + 1);
            }
            return;
        }
        if (value instanceof Map<?, ?> map) {
            map.forEach((k, v) -> walk(v, path + "[" + k + "]", problems, depth + 1));
            return;
        }
        if (!value.getClass().getName().startsWith("io.fabric8.")) {
            return;
        }
        for (Method getter : value.getClass().getMethods()) {
            if (getter.getParameterCount() != 0 || Modifier.isStatic(getter.getModifiers())
                    || getter.getDeclaringClass() == Object.class || !getter.getName().startsWith("get")) {
                continue;
            }
            Object child;
            try {
                child = getter.invoke(value);
            } catch (ReflectiveOperationException e) {
                continue;
            }
            if (getter.getName().equals("getAdditionalProperties")) {
                if (child instanceof Map<?, ?> extra && !extra.isEmpty()) {
                    problems.add("unknown field(s) " + extra.keySet() + " at " + (path.isEmpty() ? "/" : path));
                }
                continue;
            }
            String field = Character.toLowerCase(getter.getName().charAt(3)) + getter.getName().substring(4);
            walk(child, path + "/" + field, problems, depth + 1);
        }
    }
}
