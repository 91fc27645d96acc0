package io.herald.e2e;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.put;
import static com.github.tomakehurst.wiremock.client.WireMock.putRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.github.tomakehurst.wiremock.WireMockServer;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The operator's console in a real headless Chromium (Debian's {@code chromium} and {@code chromium-driver}; skipped,
 * with the reason, when they are not installed) against the three packaged services: sign in, find a notification
 * and its delivery, replay a dead letter once the homeserver lets the bot in, create and revoke an API key, explain
 * a push. Screenshots of each page go to {@code target/console-screenshots}, or to {@code docs/console} with
 * {@code -Dherald.console.screenshots=docs}.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ConsoleBrowserTest {

    private static final String CHROMIUM = System.getProperty("herald.chromium", "/usr/bin/chromium");
    private static final String CHROMEDRIVER = System.getProperty("herald.chromedriver", "/usr/bin/chromedriver");
    private static final Duration WAIT = Duration.ofSeconds(60);

    private static WireMockServer homeserver;
    private static ConsoleStack stack;
    private static ServiceProcess ingest;
    private static ServiceProcess rules;
    private static ServiceProcess dispatcher;
    private static String apiKey;
    private static ChromeDriver browser;
    private static String console;

    @BeforeAll
    static void start() throws Exception {
        Assumptions.assumeTrue(new File(CHROMIUM).canExecute() && new File(CHROMEDRIVER).canExecute(),
                "Chromium is not installed (" + CHROMIUM + ", " + CHROMEDRIVER
                        + "): apt-get install chromium chromium-driver");
        homeserver = new WireMockServer(wireMockConfig().dynamicPort().bindAddress("127.0.0.1"));
        homeserver.start();
        homeserver.stubFor(put(urlPathMatching("/_matrix/client/v3/rooms/%21ops%3Aexample.org/send/.*"))
                .willReturn(okJson("{\"event_id\":\"$console-ops\"}")));
        // the bot may not post into the locked room (yet)
        homeserver.stubFor(put(urlPathMatching("/_matrix/client/v3/rooms/%21locked%3Aexample.org/send/.*"))
                .willReturn(aResponse().withStatus(403).withHeader("Content-Type", "application/json")
                        .withBody("{\"errcode\":\"M_FORBIDDEN\",\"error\":\"the bot is not in the room\"}")));

        stack = ConsoleStack.start();
        ingest = stack.ingest;
        rules = stack.rules;
        dispatcher = stack.dispatcher;
        console = stack.console();
        stack.account("console-bot", homeserver.baseUrl(), "ops", "locked");
        given().contentType("application/json").body("{\"display_name\":\"Alice\"}")
                .put(rules.url() + "/v1/rooms/ops/members/@alice:example.org").then().statusCode(201);
        // Alice's phone: her push rules are evaluated for each notification of ops (the timeline shows the result)
        homeserver.stubFor(post(urlPathEqualTo("/_matrix/push/v1/notify")).willReturn(okJson("{\"rejected\":[]}")));
        given().contentType("application/json").body("{\"kind\":\"http\",\"app_id\":\"org.example.app\","
                + "\"pushkey\":\"alice-phone\",\"app_display_name\":\"App\",\"device_display_name\":\"Phone\","
                + "\"lang\":\"en\",\"data\":{\"url\":\"" + homeserver.baseUrl() + "/_matrix/push/v1/notify\"}}")
                .post(rules.url() + "/v1/users/@alice:example.org/pushers/set").then().statusCode(200);
        apiKey = given().contentType("application/json")
                .body("{\"tenant\":\"console\",\"sender\":\"@monitoring:example.org\",\"rooms\":[\"*\"]}")
                .post(ingest.url() + "/v1/admin/api-keys").then().statusCode(201).extract().path("key");

        ChromeOptions options = new ChromeOptions().setBinary(CHROMIUM).addArguments("--headless=new", "--no-sandbox",
                "--disable-dev-shm-usage", "--disable-gpu", "--window-size=1280,900");
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(new File(CHROMEDRIVER))
                .usingAnyFreePort().build();
        browser = new ChromeDriver(service, options);
        browser.manage().timeouts().implicitlyWait(Duration.ofSeconds(5));
    }

    @AfterAll
    static void stop() {
        if (browser != null) {
            browser.quit();
        }
        if (stack != null) {
            stack.close();
        }
        if (homeserver != null) {
            homeserver.stop();
        }
    }

    private static void open(String path) {
        browser.get(console + path);
    }

    private static WebElement find(String css) {
        return browser.findElement(By.cssSelector(css));
    }

    /** A form's POST and its redirect may finish after click() returns. */
    private static void awaitUrl(String suffix) {
        await().atMost(WAIT).pollInterval(Duration.ofMillis(100)).until(() -> browser.getCurrentUrl().endsWith(suffix));
    }

    /**
     * Reads an element's text; a live panel may replace it between finding and reading, so a stale element is
     * found again.
     */
    private static String text(String css) {
        for (int attempt = 1; ; attempt++) {
            try {
                return find(css).getText();
            } catch (StaleElementReferenceException e) {
                if (attempt == 5) {
                    throw e;
                }
            }
        }
    }

    /**
     * Clicks a link or a form's button and waits for the next page: without the wait, the next find() may still
     * see the old page, whose elements go stale under it.
     */
    private static void clickAndLoad(WebElement target) {
        WebElement oldPage = browser.findElement(By.tagName("html"));
        target.click();
        new WebDriverWait(browser, WAIT).until(ExpectedConditions.stalenessOf(oldPage));
    }

    private static void clickAndLoad(String css) {
        clickAndLoad(find(css));
    }

    private static void screenshot(String name) throws IOException {
        boolean docs = "docs".equals(System.getProperty("herald.console.screenshots"));
        Path dir = docs ? ServiceProcess.repoRoot().resolve("docs/console")
                : ServiceProcess.repoRoot().resolve("e2e-tests/target/console-screenshots");
        Files.createDirectories(dir);
        Files.copy(browser.getScreenshotAs(OutputType.FILE).toPath(), dir.resolve(name + ".png"),
                StandardCopyOption.REPLACE_EXISTING);
    }

    private static String send(String room, String body) {
        return given().header("Authorization", "Bearer " + apiKey).contentType("application/json")
                .body(Map.of("subject", "Backup", "body", body)).post(ingest.url() + "/v1/rooms/" + room + "/notifications")
                .then().statusCode(202).extract().path("id");
    }

    @Test
    @Order(1)
    void signInWithAServiceToken() throws IOException {
        open("/overview");
        assertThat(browser.getCurrentUrl()).endsWith("/console/sign-in");
        find("#token").sendKeys("hrldt_not-a-token");
        clickAndLoad("form.card button[type=submit]");
        assertThat(text("#sign-in-error")).contains("not accepted");
        screenshot("sign-in");
        find("#token").sendKeys(AdminToken.TOKEN);
        clickAndLoad("form.card button[type=submit]");
        awaitUrl("/console/overview");
        assertThat(browser.manage().getCookieNamed("herald_console").isHttpOnly()).isTrue();
        assertThat(find(".who").getText()).contains("admin");
    }

    @Test
    @Order(2)
    void aNotificationIsFoundInTheTimelineWithItsDelivery() throws IOException {
        String id = send("ops", "nas1 could not reach the target");
        open("/notifications/" + id);
        await().atMost(WAIT).pollInterval(Duration.ofMillis(500)).until(() -> {
            browser.navigate().refresh();
            return text("#notification-state").equals("delivered");
        });
        WebElement link = find("a.matrix-link");
        assertThat(link.getText()).isEqualTo("$console-ops");
        assertThat(link.getAttribute("href")).isEqualTo("https://matrix.to/#/%21ops%3Aexample.org/%24console-ops");
        assertThat(text("table.attempts tbody")).contains("200").contains("delivered");
        assertThat(find("#trace-link").getAttribute("href"))
                .isEqualTo(ConsoleStack.TRACE_URL.replace("{notification_id}", id));
        // accepted by which key, and what Alice's push rules decided when it was planned
        assertThat(text("#accepted-by")).startsWith("Accepted by API key key_");
        assertThat(text("#evaluation tbody")).contains("@alice:example.org").contains("yes").contains(".m.rule.message");
        screenshot("notification");

        open("/notifications");
        find("#q").sendKeys("ops");
        clickAndLoad("form[role=search] button");
        assertThat(text("#deliveries")).contains(id).contains("delivered");
        screenshot("timeline");
        clickAndLoad("#deliveries a[href$='" + id + "']");
        assertThat(browser.getCurrentUrl()).endsWith("/console/notifications/" + id);

        // found by words of its message, in any room
        open("/notifications");
        find("#text").sendKeys("COULD NOT reach");
        clickAndLoad("#search");
        assertThat(text("#deliveries")).contains(id).contains("nas1 could not reach the target");
        open("/notifications?text=no+such+words+anywhere");
        assertThat(text("#no-deliveries")).contains("with this text");
    }

    @Test
    @Order(3)
    void aDeadLetterIsReplayedFromTheConsoleAndDelivered() throws IOException {
        String id = send("locked", "the bot may not post here yet");
        open("/dead-letters?room=locked");
        await().atMost(WAIT).pollInterval(Duration.ofMillis(500)).until(() -> {
            browser.navigate().refresh();
            return text("#dead-total").equals("1");
        });
        assertThat(text("#dead-letters")).contains("M_FORBIDDEN");
        screenshot("dead-letters");

        // the bot was let in: replay the whole filter, after the confirmation says how many
        homeserver.stubFor(put(urlPathMatching("/_matrix/client/v3/rooms/%21locked%3Aexample.org/send/.*"))
                .willReturn(okJson("{\"event_id\":\"$console-locked\"}")));
        clickAndLoad("#replay-filter");
        assertThat(text("#confirm-count")).isEqualTo("1");
        screenshot("dead-letters-confirm");
        clickAndLoad("#confirm");
        assertThat(text("#notice")).isEqualTo("1 dead letter was replayed.");

        open("/notifications/" + id);
        await().atMost(WAIT).pollInterval(Duration.ofMillis(500)).until(() -> {
            browser.navigate().refresh();
            return text("#notification-state").equals("delivered");
        });
        assertThat(find("a.matrix-link").getText()).isEqualTo("$console-locked");
        assertThat(text("table.attempts tbody")).contains("403").contains("200");
    }

    @Test
    @Order(4)
    void anApiKeyIsCreatedShownOnceAndRevoked() throws IOException {
        open("/api-keys");
        find("#k-tenant").sendKeys("console");
        find("#k-rooms").sendKeys("ops");
        find("#k-label").sendKeys("nas1");
        clickAndLoad("#create-key");
        String key = text("#new-key");
        assertThat(key).startsWith("hrld_");
        screenshot("api-keys");
        given().header("Authorization", "Bearer " + key).contentType("application/json").body(Map.of("body", "hi"))
                .post(ingest.url() + "/v1/rooms/ops/notifications").then().statusCode(202);

        String keyId = find("#created strong").getText().replace("The new key ", "");
        browser.navigate().to(console + "/api-keys");
        assertThat(browser.getPageSource()).doesNotContain(key);
        clickAndLoad("#key-" + keyId + " button");
        assertThat(text("#notice")).contains("revoked");
        assertThat(text("#key-" + keyId)).contains("revoked");
        await().atMost(WAIT).until(() -> given().header("Authorization", "Bearer " + key).contentType("application/json")
                .body(Map.of("body", "hi")).post(ingest.url() + "/v1/rooms/ops/notifications").statusCode() == 401);
    }

    @Test
    @Order(5)
    void aPushIsExplainedForEachMember() throws IOException {
        open("/explain?room=ops");
        clickAndLoad("#explain");
        String results = text("#explain-results");
        assertThat(results).contains("@alice:example.org").contains(".m.rule.message").contains("notify");
        screenshot("explain");

        // Alice's rules: switch off the rule that matched, and the same event no longer notifies her
        clickAndLoad("#explain-results a.rules-link");
        clickAndLoad(browser.findElement(By.id("rule-.m.rule.message")).findElement(By.cssSelector("button")));
        assertThat(text("#notice")).contains("switched");
        assertThat(enabledCell(".m.rule.message")).isEqualTo("off");
        screenshot("rules");
        clickAndLoad("#explain-again");
        assertThat(text("#explain-results")).contains("@alice:example.org").doesNotContain(".m.rule.message");
        // and on again
        clickAndLoad("#explain-results a.rules-link");
        clickAndLoad(browser.findElement(By.id("rule-.m.rule.message")).findElement(By.cssSelector("button")));
        // the page the form's redirect loads replaces this one
        await().atMost(WAIT).ignoreExceptions().until(() -> enabledCell(".m.rule.message").equals("yes"));
        clickAndLoad("#explain-again");
        assertThat(text("#explain-results")).contains(".m.rule.message");
    }

    /** The "Enabled" cell of a rule's row on a member's rules page. */
    private static String enabledCell(String ruleId) {
        return browser.findElement(By.id("rule-" + ruleId)).findElement(By.cssSelector("td:nth-child(5)")).getText();
    }

    @Test
    @Order(6)
    void anAccountIsAddedByPasswordLoginCheckedJoinedToARoomAndLinked() throws IOException {
        homeserver.stubFor(post(urlPathEqualTo("/_matrix/client/v3/login")).willReturn(okJson(
                "{\"access_token\":\"syt_console_login\",\"device_id\":\"HERALD\",\"user_id\":\"@herald:example.org\"}")));
        homeserver.stubFor(get(urlPathEqualTo("/_matrix/client/v3/account/whoami")).willReturn(okJson(
                "{\"user_id\":\"@herald:example.org\"}")));
        homeserver.stubFor(post(urlPathEqualTo("/_matrix/client/v3/join/%23new%3Aexample.org"))
                .willReturn(okJson("{\"room_id\":\"!new:example.org\"}")));
        homeserver.stubFor(put(urlPathMatching("/_matrix/client/v3/rooms/%21new%3Aexample.org/send/.*"))
                .willReturn(okJson("{\"event_id\":\"$console-new\"}")));

        // a room of the tenant, not linked yet
        given().contentType("application/json").body("{\"tenant\":\"console\"}")
                .put(rules.url() + "/v1/rooms/console-new").then().statusCode(201);

        open("/rooms");
        find("#a-id").sendKeys("console-login");
        find("#a-user").sendKeys("@herald:example.org");
        find("#a-password").sendKeys("console-password");
        find("#a-homeserver").sendKeys(homeserver.baseUrl());
        clickAndLoad("#add-account");
        assertThat(text("#notice")).contains("console-login").contains("added");
        assertThat(text("#account-console-login")).contains("@herald:example.org");
        assertThat(browser.getPageSource()).doesNotContain("console-password").doesNotContain("syt_console_login");

        clickAndLoad("#check-console-login");
        assertThat(text("#notice")).contains("works").contains("@herald:example.org");

        find("#join-console-login").sendKeys("#new:example.org");
        clickAndLoad("#join-button-console-login");
        assertThat(text("#notice")).contains("joined !new:example.org");
        // the link form is filled in with the joined room and the account
        assertThat(find("#l-matrix").getAttribute("value")).isEqualTo("!new:example.org");
        find("#l-room").sendKeys("console-new");
        clickAndLoad("#link");
        assertThat(text("#notice")).contains("console-new").contains("!new:example.org");
        assertThat(text("#rooms")).contains("!new:example.org");
        screenshot("rooms-accounts");

        send("console-new", "into the newly linked room");
        await().atMost(WAIT).until(() -> !homeserver.findAll(putRequestedFor(
                urlPathMatching("/_matrix/client/v3/rooms/%21new%3Aexample.org/send/.*"))).isEmpty());
    }

    @Test
    @Order(7)
    void theOverviewRoomsAndPhoneSizedPages() throws IOException {
        open("/overview");
        await().atMost(WAIT).pollInterval(Duration.ofMillis(500)).until(() -> {
            browser.navigate().refresh();
            return text("#homeservers").contains("console-bot");
        });
        assertThat(Double.parseDouble(text("#rate-out"))).isGreaterThan(0);
        screenshot("overview");
        open("/rooms");
        assertThat(text("#rooms")).contains("ops").contains("!locked:example.org");
        assertThat(text("#accounts")).contains("console-bot");
        screenshot("rooms");
        clickAndLoad("#rooms a[href='/console/rooms/ops']");
        assertThat(text("#members")).contains("@alice:example.org");

        Dimension desktop = browser.manage().window().getSize();
        browser.manage().window().setSize(new Dimension(390, 844));
        open("/overview");
        screenshot("overview-phone");
        browser.manage().window().setSize(desktop);

        // the keyboard reaches the skip link first, and signing out ends the session
        find("body").sendKeys(org.openqa.selenium.Keys.TAB);
        assertThat(browser.switchTo().activeElement().getText()).isEqualTo("Skip to content");
        clickAndLoad(".who button");
        awaitUrl("/console/sign-in");
        open("/overview");
        assertThat(browser.getCurrentUrl()).endsWith("/console/sign-in");
    }
}
