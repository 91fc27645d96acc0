package io.herald.dispatcher.outbound;

import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.ok;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static io.herald.dispatcher.outbound.ScriptedResolver.ip;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.herald.dispatcher.outbound.OutboundGuard.Peer;
import io.herald.dispatcher.outbound.OutboundGuard.Verdict;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.core.net.PfxOptions;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.core.http.HttpServer;
import io.vertx.mutiny.ext.web.client.WebClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Requests made from a {@link Target} go to the address the guard checked, with the URL's host name in the
 * {@code Host} header, in TLS SNI and in the certificate check: the names used here exist in no DNS, so a request that
 * looked them up again would fail.
 */
class PinnedRequestTest {

    private static final Path TLS = Path.of("src/test/resources/tls");
    private static Vertx vertx;
    private static WebClient client;
    private static WireMockServer server;
    /** TLS with the test certificate; answers the server name the client indicated (SNI) and the Host header. */
    private static HttpServer tls;

    @BeforeAll
    static void start() {
        server = new WireMockServer(wireMockConfig().bindAddress("127.0.0.1").dynamicPort());
        server.start();
        server.stubFor(get(urlEqualTo("/_matrix/client/versions")).willReturn(ok("{\"versions\":[\"v1.11\"]}")));
        vertx = Vertx.vertx();
        tls = vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setSsl(true).setSni(true)
                        .setKeyCertOptions(new PfxOptions().setPath(TLS.resolve("gateway.p12").toString())
                                .setPassword("herald-test")))
                .requestHandler(request -> request.response().endAndForget(
                        request.connection().indicatedServerName() + " " + request.getHeader("Host")))
                .listenAndAwait(0);
        // trusts the test certificate (made for gateway.herald.test only); host names are verified (Vert.x' default)
        client = WebClient.create(vertx, new WebClientOptions().setFollowRedirects(false)
                .setTrustOptions(new PemTrustOptions().addCertPath(TLS.resolve("gateway.crt").toString())));
    }

    @AfterAll
    static void stop() {
        client.close();
        tls.closeAndAwait();
        vertx.closeAndAwait();
        server.stop();
    }

    @Test
    void aNameThatAnswersDifferentlyTheSecondTimeIsCalledAtTheAddressThatWasChecked() {
        ScriptedResolver dns = new ScriptedResolver().answer("rebind.herald.test", ip("127.0.0.1"), ip("10.9.9.9"));
        OutboundGuard guard = new OutboundGuard(dns, Optional.of(List.of("127.0.0.0/8")), Optional.empty(),
                Duration.ofMinutes(1));
        String url = "http://rebind.herald.test:" + server.port();

        for (int i = 0; i < 3; i++) {
            Target target = ((Verdict.Allowed) guard.check(Peer.HOMESERVER, url)).target();
            assertThat(target.request(client, HttpMethod.GET, "/_matrix/client/versions").sendAndAwait().statusCode())
                    .isEqualTo(200);
        }

        assertThat(dns.lookups("rebind.herald.test")).isEqualTo(1);
        List<LoggedRequest> requests = server.findAll(getRequestedFor(urlEqualTo("/_matrix/client/versions")));
        assertThat(requests).extracting(r -> r.getHeader("Host")).contains("rebind.herald.test:" + server.port());
        // the name's second answer would have been refused: the kept verdict did not skip the pinning
        OutboundGuard fresh = new OutboundGuard(dns, Optional.of(List.of("127.0.0.0/8")), Optional.empty(), Duration.ZERO);
        assertThat(fresh.check(Peer.HOMESERVER, url)).isInstanceOf(Verdict.Refused.class);
    }

    @Test
    void tlsUsesTheUrlsHostNameForSniAndTheCertificateCheck() {
        ScriptedResolver dns = new ScriptedResolver().answer("gateway.herald.test", ip("127.0.0.1"))
                .answer("other.herald.test", ip("127.0.0.1"));
        OutboundGuard guard = new OutboundGuard(dns, Optional.of(List.of("127.0.0.0/8")), Optional.empty(),
                Duration.ofMinutes(1));

        Target good = ((Verdict.Allowed) guard.check(Peer.HOMESERVER,
                "https://gateway.herald.test:" + tls.actualPort())).target();
        assertThat(good.server().host()).isEqualTo("127.0.0.1");
        assertThat(good.request(client, HttpMethod.GET, "/_matrix/client/versions").sendAndAwait().bodyAsString())
                .isEqualTo("gateway.herald.test gateway.herald.test:" + tls.actualPort());

        // same address, a name the certificate is not for: the host name check refuses it
        Target wrongName = ((Verdict.Allowed) guard.check(Peer.HOMESERVER,
                "https://other.herald.test:" + tls.actualPort())).target();
        assertThatThrownBy(() -> wrongName.request(client, HttpMethod.GET, "/_matrix/client/versions").sendAndAwait())
                .satisfies(e -> assertThat(OutboundFailures.publicReason(e)).startsWith("TLS failure"))
                .satisfies(e -> assertThat(io.herald.dispatcher.http.SafeText.describe(e)).contains("other.herald.test"));
    }
}
