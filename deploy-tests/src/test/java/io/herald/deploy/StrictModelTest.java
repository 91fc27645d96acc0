package io.herald.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The strict fabric8 parsing really refuses what it should: otherwise the manifest tests would prove nothing. */
class StrictModelTest {

    static JsonNode yaml(String text) throws Exception {
        return Repo.YAML.readTree(text);
    }

    @Test
    void refusesAMisspelledFieldDeepInADeployment() throws Exception {
        JsonNode doc = yaml("""
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: x}
                spec:
                  selector: {matchLabels: {a: b}}
                  template:
                    metadata: {labels: {a: b}}
                    spec:
                      containers:
                        - name: c
                          image: i:1
                          readinessprobe: {httpGet: {path: /q/health/ready, port: 8080}}
                """);
        assertThat(StrictModel.problems(doc)).singleElement().asString()
                .contains("readinessprobe").contains("/spec/template/spec/containers[0]");
    }

    @Test
    void refusesAFieldAtTheTopAndAcceptsAValidResource() throws Exception {
        assertThat(StrictModel.problems(yaml("""
                apiVersion: v1
                kind: Service
                metadata: {name: x}
                spec: {selector: {a: b}, ports: [{port: 80}]}
                status2: {}
                """))).singleElement().asString().contains("status2");
        assertThat(StrictModel.problems(yaml("""
                apiVersion: policy/v1
                kind: PodDisruptionBudget
                metadata: {name: x}
                spec: {maxUnavailable: 1, selector: {matchLabels: {a: b}}}
                """))).isEmpty();
    }

    @Test
    void refusesAWrongType() throws Exception {
        assertThat(StrictModel.problems(yaml("""
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: x}
                spec: {replicas: many}
                """))).singleElement().asString().contains("does not parse");
    }
}
