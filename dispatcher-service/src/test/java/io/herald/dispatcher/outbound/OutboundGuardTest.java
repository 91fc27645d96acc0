package io.herald.dispatcher.outbound;

import static io.herald.dispatcher.outbound.ScriptedResolver.ip;
import static org.assertj.core.api.Assertions.assertThat;

import io.herald.dispatcher.outbound.OutboundGuard.Peer;
import io.herald.dispatcher.outbound.OutboundGuard.Verdict;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class OutboundGuardTest {

    private final ScriptedResolver dns = new ScriptedResolver();

    private OutboundGuard guard(List<String> allowed, List<String> homeservers) {
        return new OutboundGuard(dns, Optional.of(allowed), Optional.of(homeservers), Duration.ofMinutes(1));
    }

    private OutboundGuard strict() {
        return guard(List.of(), List.of());
    }

    /** Every special-purpose IPv4 range, at its edges where they matter. */
    @ParameterizedTest
    @ValueSource(strings = {"0.0.0.0", "0.1.2.3", "10.1.2.3", "100.64.0.1", "100.127.255.255", "127.0.0.1",
            "127.255.255.254", "169.254.169.254", "172.16.0.1", "172.31.255.255", "192.0.0.8", "192.0.2.1",
            "192.88.99.1", "192.168.1.1", "198.18.0.1", "198.19.255.255", "198.51.100.1", "203.0.113.1", "224.0.0.1",
            "239.255.255.250", "240.0.0.1", "250.1.2.3", "255.255.255.255"})
    void specialIpv4RangesAreInternal(String address) {
        assertThat(SpecialAddresses.describe(ip(address))).isNotNull();
    }

    /** Every special-purpose IPv6 range, and IPv6 forms carrying an internal IPv4 address. */
    @ParameterizedTest
    @ValueSource(strings = {"::", "::1", "::127.0.0.1", "::10.0.0.1", "::169.254.169.254", "::ffff:0:c0a8:101",
            "64:ff9b::7f00:1", "64:ff9b::a9fe:a9fe", "64:ff9b::c612:1", "64:ff9b::f000:1", "64:ff9b:1::8.8.8.8",
            "2002:7f00:1::1", "2002:c0a8:101::1", "2002:a00:1::", "2002:c612:1::1", "2002:ffff:ffff::1", "100::1",
            "2001::1", "2001:2::1", "2001:db8::1", "3fff::1", "5f00::1", "fc00::1", "fd12:3456::1", "fe80::1",
            "fec0::1", "ff02::1"})
    void specialIpv6RangesAreInternal(String address) {
        assertThat(ip(address)).isInstanceOf(Inet6Address.class);
        assertThat(SpecialAddresses.describe(ip(address))).isNotNull();
    }

    /** {@code ::ffff:a.b.c.d}: the JDK makes IPv4 addresses of these; other resolvers may hand out the IPv6 form. */
    @ParameterizedTest
    @ValueSource(strings = {"127.0.0.1", "10.0.0.1", "169.254.169.254", "198.18.0.1", "240.0.0.1", "255.255.255.255"})
    void ipv4MappedAddressesAreAsInternalAsTheirIpv4Address(String ipv4) throws UnknownHostException {
        assertThat(SpecialAddresses.describe(mapped(ipv4))).startsWith("IPv4-mapped").contains(ipv4);
        assertThat(SpecialAddresses.describe(ip("::ffff:" + ipv4))).isNotNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {"8.8.8.8", "1.1.1.1", "100.128.0.1", "172.32.0.1", "198.20.0.1", "223.255.255.255",
            "2001:4860:4860::8888", "2a00:1450:4001::1", "64:ff9b::808:808", "2002:808:808::1", "::8.8.8.8"})
    void globallyReachableAddressesAreNot(String address) {
        assertThat(SpecialAddresses.describe(ip(address))).isNull();
    }

    @Test
    void aPublicIpv4MappedAddressIsNot() throws UnknownHostException {
        assertThat(SpecialAddresses.describe(mapped("8.8.8.8"))).isNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {"10.1.2.3", "198.18.0.1", "240.0.0.1", "255.255.255.255", "::1", "64:ff9b::a00:1",
            "2002:a00:1::1", "::10.0.0.1", "fd00::1"})
    void aNameResolvingToASpecialAddressIsRefusedAndOnlyTheLogSeesTheAddress(String address) {
        dns.answer("evil.example.org", ip(address));

        Verdict verdict = strict().check(Peer.PUSH_GATEWAY, "https://evil.example.org/_matrix/push/v1/notify");

        Verdict.Refused refused = (Verdict.Refused) verdict;
        assertThat(refused.reason()).contains("refused").doesNotContain(ip(address).getHostAddress())
                .doesNotContain("evil.example.org");
        assertThat(refused.detail()).contains(ip(address).getHostAddress()).contains("evil.example.org")
                .contains("herald.dispatcher.outbound.allowed-networks");
    }

    @Test
    void oneInternalAddressAmongPublicOnesIsEnoughToRefuse() {
        dns.answerAll("mixed.example.org", List.of(ip("93.184.216.34"), ip("10.0.0.7")));

        assertThat(strict().check(Peer.HOMESERVER, "https://mixed.example.org")).isInstanceOf(Verdict.Refused.class);
    }

    @Test
    void aNameThatDoesNotResolveIsNotLetThrough() {
        dns.unknown("nowhere.example.org");

        Verdict verdict = strict().check(Peer.HOMESERVER, "https://nowhere.example.org");

        assertThat(verdict).isInstanceOf(Verdict.Unresolved.class);
        assertThat(((Verdict.Unresolved) verdict).reason()).contains("does not resolve");
    }

    @Test
    void onlyAbsoluteHttpUrlsMayBeCalled() {
        for (String url : List.of("file:///etc/passwd", "gopher://example.org/", "/relative", "http://", "not a url")) {
            assertThat(strict().check(Peer.PUSH_GATEWAY, url)).as(url).isInstanceOf(Verdict.Refused.class);
        }
    }

    @Test
    void allowedNetworksOpenInternalAddressesToEveryPeerAndHomeserverNetworksOnlyToHomeservers() {
        OutboundGuard guard = guard(List.of("127.0.0.0/8", "::1"), List.of("10.20.0.0/16"));

        assertThat(guard.check(Peer.PUSH_GATEWAY, "http://127.0.0.1:5000/notify")).isInstanceOf(Verdict.Allowed.class);
        assertThat(guard.check(Peer.PUSH_GATEWAY, "http://[::1]:5000/notify")).isInstanceOf(Verdict.Allowed.class);
        assertThat(guard.check(Peer.HOMESERVER, "http://127.0.0.1:8008")).isInstanceOf(Verdict.Allowed.class);
        assertThat(guard.check(Peer.HOMESERVER, "http://10.20.3.4:8008")).isInstanceOf(Verdict.Allowed.class);
        assertThat(guard.check(Peer.PUSH_GATEWAY, "http://10.20.3.4:5000/notify")).isInstanceOf(Verdict.Refused.class);
        assertThat(guard.check(Peer.HOMESERVER, "http://10.21.3.4:8008")).isInstanceOf(Verdict.Refused.class);
        assertThat(guard.check(Peer.PUSH_GATEWAY, "https://8.8.8.8/notify")).isInstanceOf(Verdict.Allowed.class);
    }

    @Test
    void anAllowedUrlIsPinnedToTheAddressThatWasChecked() {
        dns.answer("matrix.example.org", ip("93.184.216.34"));

        Target target = ((Verdict.Allowed) strict().check(Peer.HOMESERVER, "https://matrix.example.org")).target();

        assertThat(target.address()).isEqualTo(ip("93.184.216.34"));
        assertThat(target.host()).isEqualTo("matrix.example.org");
        assertThat(target.server().host()).isEqualTo("93.184.216.34");
        assertThat(target.server().port()).isEqualTo(443);
    }

    @Test
    void aKeptVerdictKeepsItsAddressAndAnExpiredOneIsCheckedAgain() {
        dns.answer("rebind.example.org", ip("93.184.216.34"), ip("169.254.169.254"));
        OutboundGuard keeping = strict();

        Target first = ((Verdict.Allowed) keeping.check(Peer.PUSH_GATEWAY, "https://rebind.example.org/n")).target();
        Target again = ((Verdict.Allowed) keeping.check(Peer.PUSH_GATEWAY, "https://rebind.example.org/n")).target();

        assertThat(again.address()).isEqualTo(first.address()).isEqualTo(ip("93.184.216.34"));
        assertThat(dns.lookups("rebind.example.org")).isEqualTo(1);

        OutboundGuard forgetting = new OutboundGuard(dns, Optional.empty(), Optional.empty(), Duration.ZERO);
        assertThat(forgetting.check(Peer.PUSH_GATEWAY, "https://rebind.example.org/n")).isInstanceOf(Verdict.Refused.class);
        assertThat(dns.lookups("rebind.example.org")).isEqualTo(2);
    }

    @Test
    void cidrsAreParsedStrictly() {
        assertThat(Cidr.parse("10.20.0.0/16").contains(ip("10.20.255.1"))).isTrue();
        assertThat(Cidr.parse("10.20.0.0/16").contains(ip("10.21.0.1"))).isFalse();
        assertThat(Cidr.parse("fd00::/8").contains(ip("fd12::1"))).isTrue();
        assertThat(Cidr.parse("127.0.0.1").contains(ip("127.0.0.2"))).isFalse();
        for (String bad : List.of("10.0.0.0/33", "example.org/8", "10.0.0.0/x", "")) {
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> Cidr.parse(bad)).as(bad)
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }

    private static InetAddress mapped(String ipv4) throws UnknownHostException {
        byte[] b = new byte[16];
        b[10] = (byte) 0xff;
        b[11] = (byte) 0xff;
        System.arraycopy(ip(ipv4).getAddress(), 0, b, 12, 4);
        return Inet6Address.getByAddress(null, b, -1);
    }
}
