package io.herald.testsupport;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;

import com.github.tomakehurst.wiremock.WireMockServer;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Map;

/**
 * WireMock as the homeserver that checks Matrix access tokens ({@code herald.auth.matrix.homeserver}): whoami knows
 * {@link #ALICE} ({@code @alice:example.org}) and {@link #BOB} ({@code @bob:example.org}), answers 502 for
 * {@link #BROKEN} and {@code M_UNKNOWN_TOKEN} for any other token. Its port is {@code test.homeserver.port}.
 */
public class WhoamiHomeserver implements QuarkusTestResourceLifecycleManager {

    public static final String WHOAMI = "/_matrix/client/v3/account/whoami";
    public static final String ALICE = "syt_alice";
    public static final String BOB = "syt_bob";
    public static final String BROKEN = "syt_broken";
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
