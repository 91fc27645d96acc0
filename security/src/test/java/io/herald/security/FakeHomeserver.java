package io.herald.security;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;

import com.github.tomakehurst.wiremock.WireMockServer;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Map;

/**
 * WireMock as the homeserver: whoami knows {@code syt_alice} and {@code syt_bob}, answers 500 for {@code syt_broken}
 * and M_UNKNOWN_TOKEN for anything else.
 */
public class FakeHomeserver implements QuarkusTestResourceLifecycleManager {

    static final String WHOAMI = "/_matrix/client/v3/account/whoami";
    private WireMockServer server;

    @Override
    public Map<String, String> start() {
        server = new WireMockServer(options().dynamicPort());
        server.start();
        server.stubFor(get(WHOAMI).atPriority(9).willReturn(aResponse().withStatus(401)
                .withHeader("Content-Type", "application/json")
                .withBody("{\"errcode\":\"M_UNKNOWN_TOKEN\",\"error\":\"Unknown access token\"}")));
        for (String user : new String[] {"alice", "bob"}) {
            server.stubFor(get(WHOAMI).atPriority(1).withHeader("Authorization", equalTo("Bearer syt_" + user))
                    .willReturn(okJson("{\"user_id\":\"@" + user + ":example.org\",\"device_id\":\"D\"}")));
        }
        server.stubFor(get(WHOAMI).atPriority(1).withHeader("Authorization", equalTo("Bearer syt_broken"))
                .willReturn(aResponse().withStatus(502)));
        return Map.of("herald.auth.matrix.homeserver", server.baseUrl() + "/", "test.homeserver.port",
                Integer.toString(server.port()));
    }

    @Override
    public void stop() {
        if (server != null) {
            server.stop();
        }
    }
}
