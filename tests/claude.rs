//! The Claude client against the local fake of the Messages API (on 127.0.0.1): exact requests,
//! streaming, every error type, retries, cuts, cancellation, and the key kept out of logs.

mod common;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use fake_claude::{Config, FakeClaude, Fault, Script};
use kubectl_mcp::claude::{
    ClaudeClient, ClaudeConfig, ClaudeError, Credentials, MessagesRequest, RetryPolicy, Secret,
};
use kubectl_mcp::engine::window::{self, Input};
use kubectl_mcp::model::fixtures::{self, assistant, user};
use kubectl_mcp::model::resource::Role;
use serde_json::json;

const KEY: &str = "sk-ant-test-0123456789-SECRET";

fn fast_retries() -> RetryPolicy {
    RetryPolicy {
        initial: Duration::from_millis(5),
        max_backoff: Duration::from_millis(20),
        ..RetryPolicy::default()
    }
}

fn client(fake: &FakeClaude) -> ClaudeClient {
    kubectl_mcp::tls::install_crypto_provider();
    let mut config = ClaudeConfig::new(
        Credentials::ApiKey(Secret::new(KEY).unwrap()),
        Some(fake.base_url()),
    );
    config.retry = fast_retries();
    ClaudeClient::new(config).unwrap()
}

async fn fake() -> FakeClaude {
    FakeClaude::start(Config {
        api_key: Some(KEY.into()),
        ..Config::default()
    })
    .await
    .unwrap()
}

fn request(text: &str) -> MessagesRequest {
    let history = vec![user("hello"), assistant("hi!")];
    let w = window::build(&Input {
        system_prompt: Some("be brief"),
        summary: None,
        history: &history,
        message_tokens: None,
        history_size: None,
        max_tokens: None,
        ratio: 1.0,
        new_message: text,
    })
    .unwrap();
    MessagesRequest::from_window("claude-haiku-4-5", 64, &w, true)
}

#[tokio::test]
async fn a_request_carries_the_exact_json_and_headers() {
    let fake = fake().await;
    let reply = client(&fake)
        .send(&request("what is a pod?"))
        .await
        .unwrap();
    assert_eq!(reply.text, "You said: what is a pod?");
    assert_eq!(reply.stop_reason.as_deref(), Some("end_turn"));
    assert_eq!(reply.model, "claude-haiku-4-5-20251001");
    assert!(reply.request_id.is_some());
    let reqs = fake.message_requests();
    assert_eq!(reqs.len(), 1);
    let r = &reqs[0];
    assert_eq!(r.headers["x-api-key"], KEY);
    assert_eq!(r.headers["anthropic-version"], "2023-06-01");
    assert_eq!(r.headers["content-type"], "application/json");
    assert_eq!(
        r.body,
        json!({
            "model": "claude-haiku-4-5",
            "max_tokens": 64,
            "stream": true,
            "system": [{"type": "text", "text": "be brief", "cache_control": {"type": "ephemeral"}}],
            "messages": [
                {"role": "user", "content": "hello"},
                {"role": "assistant", "content": [{"type": "text", "text": "hi!", "cache_control": {"type": "ephemeral"}}]},
                {"role": "user", "content": "what is a pod?"}
            ]
        })
    );
}

#[tokio::test]
async fn streamed_deltas_arrive_before_the_answer_is_finished() {
    let fake = fake().await;
    fake.configure(|c| c.delta_delay = Duration::from_millis(150));
    let start = Instant::now();
    let seen: Arc<Mutex<Vec<(Duration, String)>>> = Arc::default();
    let s = seen.clone();
    let mut on_text = move |t: &str| s.lock().unwrap().push((start.elapsed(), t.to_string()));
    let reply = client(&fake)
        .stream(&request("one two three four five"), &mut on_text)
        .await
        .unwrap();
    let total = start.elapsed();
    let seen = seen.lock().unwrap();
    assert_eq!(seen.len(), 7, "one delta per word: {seen:?}");
    assert_eq!(
        seen.iter().map(|(_, t)| t.as_str()).collect::<String>(),
        reply.text
    );
    assert!(
        seen[0].0 + Duration::from_millis(600) < total,
        "the first delta ({:?}) came long before the end ({total:?})",
        seen[0].0
    );
    assert!(reply.usage.input_tokens > 0 && reply.usage.output_tokens > 0);
}

#[tokio::test]
async fn thinking_blocks_ping_and_unknown_events_are_skipped() {
    let fake = fake().await;
    fake.configure(|c| {
        c.thinking = true;
        c.extra_events = true;
    });
    let c = client(&fake);
    let mut text = String::new();
    let reply = c
        .stream(&request("hi"), &mut |t: &str| text.push_str(t))
        .await
        .unwrap();
    assert_eq!(reply.text, "You said: hi");
    assert_eq!(text, "You said: hi");
    assert_eq!(c.send(&request("hi")).await.unwrap().text, "You said: hi");
}

#[tokio::test]
async fn every_error_status_maps_to_its_message_and_only_retryable_ones_are_retried() {
    for (status, retried, want) in [
        (400, false, "invalid_request_error"),
        (401, false, "check ANTHROPIC_API_KEY"),
        (402, false, "billing"),
        (403, false, "may not use this model"),
        (404, false, "check the model name"),
        (409, true, "conflict"),
        (413, false, "summarize"),
        (429, true, "rate limited"),
        (500, true, "internal error"),
        (504, true, "timed out"),
        (529, true, "overloaded"),
    ] {
        let fake = fake().await;
        for _ in 0..3 {
            fake.push_fault(Fault::status(status));
        }
        let err = client(&fake).send(&request("x")).await.unwrap_err();
        let msg = err.to_string();
        assert!(msg.contains(&format!("Claude API error {status}")), "{msg}");
        assert!(msg.contains(want), "{status}: {msg}");
        assert!(msg.contains("[request-id: req_fake_"), "{msg}");
        let attempts = fake.message_requests().len();
        assert_eq!(attempts, if retried { 3 } else { 1 }, "{status}");
    }
}

#[tokio::test]
async fn a_429_waits_for_retry_after_then_succeeds() {
    let fake = fake().await;
    // The fake's 429 carries `retry-after: 1` and `x-should-retry: true` by default, as the
    // API's does.
    fake.push_fault(Fault::status(429));
    let start = Instant::now();
    let reply = client(&fake).send(&request("x")).await.unwrap();
    assert!(
        start.elapsed() >= Duration::from_secs(1),
        "{:?}",
        start.elapsed()
    );
    assert_eq!(reply.text, "You said: x");
    let reqs = fake.message_requests();
    assert_eq!(reqs.len(), 2);
    assert!(reqs[1].at.duration_since(reqs[0].at) >= Duration::from_secs(1));
}

#[tokio::test]
async fn retry_after_ms_is_preferred_and_a_far_retry_after_gives_up_at_once() {
    let fake = fake().await;
    fake.push_fault(
        Fault::status(529)
            .with_header("retry-after-ms", "300")
            .with_header("retry-after", "30"),
    );
    let start = Instant::now();
    client(&fake).send(&request("x")).await.unwrap();
    let took = start.elapsed();
    assert!(
        took >= Duration::from_millis(300) && took < Duration::from_secs(5),
        "{took:?}"
    );

    fake.push_fault(Fault::status(429).with_header("retry-after", "3600"));
    let err = client(&fake).send(&request("x")).await.unwrap_err();
    assert!(matches!(err, ClaudeError::RetryTooFar { .. }), "{err}");
}

#[tokio::test]
async fn two_529s_then_success_is_one_answer() {
    let fake = fake().await;
    fake.play(Script::new().overloaded(2));
    let mut deltas = 0;
    let reply = client(&fake)
        .stream(&request("x"), &mut |_| deltas += 1)
        .await
        .unwrap();
    assert_eq!(reply.text, "You said: x");
    assert_eq!(fake.message_requests().len(), 3);
    assert_eq!(deltas, 3, "the answer was streamed once");
}

#[tokio::test]
async fn spend_limits_and_x_should_retry_false_are_not_retried() {
    let fake = fake().await;
    fake.push_fault(Fault::spend_limit());
    let err = client(&fake).send(&request("x")).await.unwrap_err();
    assert!(err.to_string().contains("spend limit"), "{err}");
    assert_eq!(fake.message_requests().len(), 1);

    fake.push_fault(Fault::status(529).with_header("x-should-retry", "false"));
    assert!(client(&fake).send(&request("x")).await.is_err());
    assert_eq!(fake.message_requests().len(), 2);

    fake.push_fault(Fault::status(400).with_header("x-should-retry", "true"));
    assert!(client(&fake).send(&request("x")).await.is_ok());
    assert_eq!(fake.message_requests().len(), 4);
}

#[tokio::test]
async fn a_stream_cut_mid_answer_is_an_error_and_is_not_retried() {
    let fake = fake().await;
    fake.push_fault(Fault::CutStream { after_deltas: 2 });
    let mut shown = String::new();
    let err = client(&fake)
        .stream(&request("a b c d e"), &mut |t: &str| shown.push_str(t))
        .await
        .unwrap_err();
    assert!(
        matches!(err, ClaudeError::StreamCut { received_chars } if received_chars == shown.chars().count()),
        "{err}"
    );
    assert_eq!(shown, "You said: ");
    assert_eq!(
        fake.message_requests().len(),
        1,
        "text was shown: no silent retry"
    );
}

#[tokio::test]
async fn a_stream_cut_before_any_text_is_retried() {
    let fake = fake().await;
    fake.push_fault(Fault::CutStream { after_deltas: 0 });
    let reply = client(&fake)
        .stream(&request("x"), &mut |_| {})
        .await
        .unwrap();
    assert_eq!(reply.text, "You said: x");
    assert_eq!(fake.message_requests().len(), 2);
}

#[tokio::test]
async fn an_error_event_mid_stream_is_an_api_error() {
    let fake = fake().await;
    fake.push_fault(Fault::ErrorEvent {
        after_deltas: 1,
        error_type: "overloaded_error".into(),
        message: "Overloaded".into(),
    });
    let err = client(&fake)
        .stream(&request("a b c"), &mut |_| {})
        .await
        .unwrap_err();
    let api = err.api().expect("an API error");
    assert_eq!(api.status, 529);
    assert!(api.mid_stream);
    assert!(
        err.to_string().contains("in the middle of the answer"),
        "{err}"
    );
    assert_eq!(fake.message_requests().len(), 1);
}

#[tokio::test]
async fn a_max_tokens_stop_is_reported() {
    let fake = fake().await;
    fake.push_fault(Fault::MaxTokens { words: 2 });
    let reply = client(&fake)
        .stream(&request("a b c d"), &mut |_| {})
        .await
        .unwrap();
    assert!(reply.was_cut());
    assert_eq!(reply.text, "You said: ");
}

#[tokio::test]
async fn a_stalled_request_is_retried_like_a_connection_error() {
    let fake = fake().await;
    fake.push_fault(Fault::SlowFirstByte(Duration::from_secs(3)));
    let mut c = client(&fake).config().clone();
    c.first_byte_timeout = Duration::from_millis(400);
    let c = ClaudeClient::new(c).unwrap();
    let start = Instant::now();
    // Nothing was shown: the stall is retried, and the second attempt answers.
    let reply = c.stream(&request("x"), &mut |_| {}).await.unwrap();
    assert_eq!(reply.text, "You said: x");
    assert!(start.elapsed() >= Duration::from_millis(400));
    assert_eq!(fake.message_requests().len(), 2, "one stall, one retry");
    // Every attempt stalling: a timeout after the retries, naming the URL and the setting.
    for _ in 0..3 {
        fake.push_fault(Fault::SlowFirstByte(Duration::from_secs(3)));
    }
    let err = c.stream(&request("y"), &mut |_| {}).await.unwrap_err();
    assert!(matches!(err, ClaudeError::Timeout { .. }), "{err}");
    let msg = err.to_string();
    assert!(msg.contains(&fake.base_url()), "{msg}");
    assert!(msg.contains("KUBECTL_MCP_FIRST_BYTE_TIMEOUT"), "{msg}");
    assert!(msg.contains("gave up after 3 attempts"), "{msg}");
}

/// Issue #24 item 2: one call, every attempt, backoff and wait included, ends within the
/// call's limit: no retry begins that it could not hold, and the error says how long it took
/// in all and which two settings to change.
#[tokio::test]
async fn a_call_never_outlasts_its_limit_however_many_retries_are_allowed() {
    let fake = fake().await;
    let mut c = client(&fake).config().clone();
    c.first_byte_timeout = Duration::from_millis(700);
    c.call_timeout = Duration::from_millis(2000);
    c.retry.max_retries = 10;
    let c = ClaudeClient::new(c).unwrap();
    for _ in 0..10 {
        fake.push_fault(Fault::SlowFirstByte(Duration::from_secs(5)));
    }
    let start = Instant::now();
    let err = c.send(&request("x")).await.unwrap_err();
    let took = start.elapsed();
    assert!(took < Duration::from_millis(2300), "took {took:?}");
    assert!(took >= Duration::from_millis(1300), "took {took:?}");
    let msg = err.to_string();
    assert!(msg.contains("KUBECTL_MCP_CALL_TIMEOUT"), "{msg}");
    assert!(msg.contains("in all"), "{msg}");
    let attempts = fake.message_requests().len();
    assert!((2..=4).contains(&attempts), "{attempts} attempts");
    // count_tokens meets the same limit.
    for _ in 0..10 {
        fake.push_count_fault(Fault::status(503).with_header("retry-after", "1"));
    }
    let start = Instant::now();
    assert!(c.count_tokens(&request("x")).await.is_err());
    assert!(
        start.elapsed() < Duration::from_millis(2300),
        "{:?}",
        start.elapsed()
    );
}

/// Issue #24 item 1: without `retry-after`, waits between attempts grow (0.5 s doubling) and
/// are jittered, so that clients retrying together do not stay in step.
#[tokio::test]
async fn backoff_grows_between_attempts_and_is_jittered() {
    let fake = fake().await;
    let mut c = client(&fake).config().clone();
    c.retry = RetryPolicy::default();
    c.retry.max_retries = 3;
    let c = ClaudeClient::new(c).unwrap();
    for _ in 0..3 {
        fake.push_fault(Fault::status(503).without_header("retry-after"));
    }
    c.send(&request("x")).await.unwrap();
    let at: Vec<Instant> = fake.message_requests().iter().map(|r| r.at).collect();
    assert_eq!(at.len(), 4);
    let gaps: Vec<f64> = at.windows(2).map(|w| (w[1] - w[0]).as_secs_f64()).collect();
    for (gap, base) in gaps.iter().zip([0.5, 1.0, 2.0]) {
        assert!(
            *gap >= base * 0.75 - 0.01 && *gap <= base + 0.25,
            "gaps {gaps:?}"
        );
    }
    assert!(gaps[0] < gaps[1] && gaps[1] < gaps[2], "{gaps:?}");
    // Jitter: a policy's waits for one retry differ from call to call.
    let p = RetryPolicy::default();
    let waits: std::collections::BTreeSet<u128> =
        (0..20).map(|_| p.backoff(1).as_micros()).collect();
    assert!(waits.len() > 10, "{waits:?}");
}

/// Issue #12 (resilient streams): a stream cut after some text is retried when nothing was
/// shown (a complete answer comes back, never a partial one), and not when it was (the caller
/// decides what to say).
#[tokio::test]
async fn a_stream_cut_after_text_is_retried_only_where_nothing_was_shown() {
    let fake = fake().await;
    let c = client(&fake);
    fake.push_fault(Fault::CutStream { after_deltas: 2 });
    let reply = c.send(&request("one two three four")).await.unwrap();
    assert_eq!(reply.text, "You said: one two three four");
    assert_eq!(fake.message_requests().len(), 2);
    fake.push_fault(Fault::CutStream { after_deltas: 2 });
    let mut shown = String::new();
    let err = c
        .stream(&request("one two three four"), &mut |t| shown.push_str(t))
        .await
        .unwrap_err();
    assert!(matches!(err, ClaudeError::StreamCut { .. }), "{err}");
    assert!(!shown.is_empty());
    assert_eq!(
        fake.message_requests().len(),
        3,
        "shown text: not retried here"
    );
    // An `error` event before any text is retried like a connection error.
    fake.push_fault(Fault::ErrorEvent {
        after_deltas: 0,
        error_type: "overloaded_error".into(),
        message: "Overloaded".into(),
    });
    let reply = c.stream(&request("x"), &mut |_| {}).await.unwrap();
    assert_eq!(reply.text, "You said: x");
    assert_eq!(fake.message_requests().len(), 5);
}

#[tokio::test]
async fn dropping_the_future_cancels_the_request() {
    let fake = fake().await;
    fake.configure(|c| c.delta_delay = Duration::from_millis(200));
    let c = client(&fake);
    let req = request(&"word ".repeat(50));
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let mut tx = Some(tx);
    let mut on_text = |_: &str| {
        if let Some(tx) = tx.take() {
            let _ = tx.send(());
        }
    };
    let call = c.stream(&req, &mut on_text);
    tokio::select! {
        _ = call => panic!("the answer should not finish"),
        _ = rx => {}
    }
    // The future is dropped here; the fake notices the closed connection on its next write.
    for _ in 0..50 {
        if fake.disconnects() == 1 {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the fake never saw the client go away");
}

#[tokio::test]
async fn count_tokens_asks_the_api() {
    let fake = fake().await;
    let n = client(&fake).count_tokens(&request("x")).await.unwrap();
    assert!(n > 0);
    let r = &fake.requests()[0];
    assert_eq!(r.path, "/v1/messages/count_tokens");
    assert!(r.body.get("max_tokens").is_none());
}

#[tokio::test]
async fn cache_reads_are_reported_once_the_prefix_repeats() {
    let fake = fake().await;
    fake.configure(|c| c.min_cache_tokens = Some(1));
    let c = client(&fake);
    let first = c.send(&request("x")).await.unwrap();
    assert!(first.usage.cache_creation_input_tokens > 0);
    assert_eq!(first.usage.cache_read_input_tokens, 0);
    let second = c.send(&request("y")).await.unwrap();
    assert_eq!(
        second.usage.cache_read_input_tokens,
        first.usage.cache_creation_input_tokens
    );
    assert_eq!(second.usage.cache_creation_input_tokens, 0);
}

#[tokio::test]
async fn a_wrong_key_is_a_401_that_names_the_variable_and_not_the_key() {
    let fake = fake().await;
    let mut cfg = client(&fake).config().clone();
    cfg.credentials = Credentials::ApiKey(Secret::new("sk-wrong-key-123456").unwrap());
    let err = ClaudeClient::new(cfg)
        .unwrap()
        .send(&request("x"))
        .await
        .unwrap_err();
    let msg = format!("{err} {err:?}");
    assert!(msg.contains("ANTHROPIC_API_KEY"), "{msg}");
    assert!(!msg.contains("sk-wrong-key-123456"), "{msg}");
    assert_eq!(fake.message_requests().len(), 1);
}

#[tokio::test]
async fn bearer_tokens_go_in_the_authorization_header() {
    let fake = fake().await;
    let mut cfg = client(&fake).config().clone();
    cfg.credentials = Credentials::Bearer(Secret::new(KEY).unwrap());
    ClaudeClient::new(cfg)
        .unwrap()
        .send(&request("x"))
        .await
        .unwrap();
    let h = &fake.message_requests()[0].headers;
    assert_eq!(h["authorization"], format!("Bearer {KEY}"));
    assert!(!h.contains_key("x-api-key"));
}

#[tokio::test]
async fn connection_errors_name_the_endpoint() {
    kubectl_mcp::tls::install_crypto_provider();
    let mut cfg = ClaudeConfig::new(
        Credentials::ApiKey(Secret::new(KEY).unwrap()),
        Some("http://127.0.0.1:9".into()),
    );
    cfg.retry = fast_retries();
    let err = ClaudeClient::new(cfg)
        .unwrap()
        .send(&request("x"))
        .await
        .unwrap_err();
    let msg = err.to_string();
    assert!(
        msg.contains("cannot reach the Claude API at http://127.0.0.1:9"),
        "{msg}"
    );
    assert!(msg.contains("gave up after 3 attempts"), "{msg}");
}

/// Every log line the client and the HTTP stack write, down to trace, with retries and errors on
/// the way: the key is in none of them.
#[test]
fn the_key_never_appears_in_logs_at_any_level() {
    // tracing decides once per call site, for the whole process, whether anyone listens: a
    // test on another thread that reaches a call site first (with no subscriber) can leave it
    // silent here. So the check runs alone, in a process of its own: this test binary again.
    const CHILD: &str = "KUBECTL_MCP_LOG_TEST_CHILD";
    if std::env::var_os(CHILD).is_none() {
        let out = std::process::Command::new(std::env::current_exe().unwrap())
            .args([
                "the_key_never_appears_in_logs_at_any_level",
                "--exact",
                "--test-threads=1",
                "--nocapture",
            ])
            .env(CHILD, "1")
            .output()
            .unwrap();
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            out.status.success() && text.contains("1 passed"),
            "the check failed in its own process:\n{text}"
        );
        return;
    }
    #[derive(Clone, Default)]
    struct Buf(Arc<Mutex<Vec<u8>>>);
    impl std::io::Write for Buf {
        fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(b);
            Ok(b.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let buf = Buf::default();
    let writer = buf.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || writer.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let fake = fake().await;
        fake.play(Script::new().overloaded(1).fail(401, 1));
        let c = client(&fake);
        let _ = c.send(&request("x")).await;
        let _ = c.stream(&request("y"), &mut |_| {}).await;
        tracing::debug!(config = ?c.config(), "the client's configuration");
    });
    let logs = String::from_utf8(buf.0.lock().unwrap().clone()).unwrap();
    assert!(
        logs.contains("POST /v1/messages"),
        "logging was captured:\n{logs}"
    );
    assert!(logs.contains("retrying"), "{logs}");
    assert!(
        !logs.contains(KEY) && !logs.contains("SECRET"),
        "the key leaked:\n{logs}"
    );
}

/// `--api-key-secret` reads the key from a real Secret on the real apiserver.
#[test]
fn the_key_can_come_from_a_kubernetes_secret() {
    use k8s_openapi::api::core::v1::Secret as KubeSecret;
    use kube::api::{Api, PostParams};
    use kubectl_mcp::credentials::{resolve, CredentialsError, SecretRef};

    let ns = common::ControlPlane::shared().namespace("secret");
    common::block_on(async {
        let client = ns.cp.client().await;
        let secrets: Api<KubeSecret> = Api::namespaced(client, &ns.name);
        let s: KubeSecret = serde_json::from_value(json!({
            "metadata": {"name": "anthropic"},
            "stringData": {"ANTHROPIC_API_KEY": format!("{KEY}\n"), "other": "x"}
        }))
        .unwrap();
        secrets.create(&PostParams::default(), &s).await.unwrap();

        let global = kubectl_mcp::cluster::ClusterOptions {
            kubeconfig: Some(ns.cp.kubeconfig.clone()),
            namespace: Some(ns.name.clone()),
            ..Default::default()
        };
        let cluster = kubectl_mcp::cluster::Cluster::connect(&global)
            .await
            .unwrap();
        let r: SecretRef = "anthropic".parse().unwrap();
        let creds = resolve(Some(&r), Some(&cluster)).await.unwrap();
        let fake = fake().await;
        let mut cfg = ClaudeConfig::new(creds, Some(fake.base_url()));
        cfg.retry = fast_retries();
        ClaudeClient::new(cfg)
            .unwrap()
            .send(&request("x"))
            .await
            .unwrap();
        assert_eq!(fake.message_requests()[0].headers["x-api-key"], KEY);

        let r: SecretRef = format!("{}/anthropic:missing", ns.name).parse().unwrap();
        let err = resolve(Some(&r), Some(&cluster)).await.unwrap_err();
        assert!(matches!(err, CredentialsError::KeyNotFound { .. }), "{err}");
        assert!(
            err.to_string().contains("ANTHROPIC_API_KEY, other"),
            "{err}"
        );
        assert!(!err.to_string().contains(KEY));
        let r: SecretRef = "nope".parse().unwrap();
        let err = resolve(Some(&r), Some(&cluster)).await.unwrap_err();
        assert!(
            err.to_string()
                .contains("kubectl create secret generic nope"),
            "{err}"
        );
    });
}

/// The REPL and `batch` spawn these futures on tokio's pool: they must stay `Send`.
#[test]
fn client_futures_are_send() {
    fn is_send<T: Send>(_: &T) {}
    kubectl_mcp::tls::install_crypto_provider();
    let c = ClaudeClient::new(ClaudeConfig::new(
        Credentials::ApiKey(Secret::new(KEY).unwrap()),
        Some("http://127.0.0.1:9".into()),
    ))
    .unwrap();
    let req = request("x");
    let mut on_text = |_: &str| {};
    is_send(&c.stream(&req, &mut on_text));
    is_send(&c.send(&req));
    is_send(&c.count_tokens(&req));
}

/// `batch` shares one client between workers: a 429 seen by one holds the others too.
#[tokio::test]
async fn one_429_holds_every_clone_of_the_client() {
    let fake = fake().await;
    fake.push_fault(Fault::status(429).with_header("retry-after", "1"));
    let a = client(&fake);
    let b = a.clone();
    let first = tokio::spawn(async move { a.send(&request("a")).await });
    while fake.message_requests().is_empty() {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    tokio::time::sleep(Duration::from_millis(150)).await; // the 429 has been read: the gate is shut
    b.send(&request("b")).await.unwrap();
    first.await.unwrap().unwrap();
    let reqs = fake.message_requests();
    assert_eq!(reqs.len(), 3);
    for r in &reqs[1..] {
        let after = r.at.duration_since(reqs[0].at);
        assert!(
            after >= Duration::from_millis(900),
            "a request went out {after:?} after the 429"
        );
    }
}

/// Issue #12: the strict fake's catalogue: an unknown Claude model is the API's 404, answered
/// with "check the model name"; a base URL with an extra `/v1` is named as the fault instead;
/// `max_tokens` over the model's cap is the API's 400.
#[tokio::test]
async fn unknown_models_wrong_base_urls_and_caps_are_told_apart() {
    let fake = fake().await;
    let c = client(&fake);
    let mut r = request("hi");
    r.model = "claude-nonexistent-9".into();
    let e = c.send(&r).await.unwrap_err().to_string();
    assert!(e.contains("model: claude-nonexistent-9"), "{e}");
    assert!(e.contains("check the model name"), "{e}");

    let mut config = ClaudeConfig::new(
        Credentials::ApiKey(Secret::new(KEY).unwrap()),
        Some(format!("{}/v1", fake.base_url())),
    );
    config.retry = fast_retries();
    let wrong = ClaudeClient::new(config).unwrap();
    let e = wrong.send(&request("hi")).await.unwrap_err().to_string();
    assert!(
        e.contains("ends in /v1, and the tool adds /v1/messages itself"),
        "{e}"
    );
    assert!(!e.contains("check the model name"), "{e}");

    let mut r = request("hi");
    r.model = "claude-haiku-4-5".into();
    r.max_tokens = 70_000;
    let e = c.send(&r).await.unwrap_err().to_string();
    assert!(e.contains("maximum allowed number of output tokens"), "{e}");
    r.max_tokens = 64_000;
    let reply = c.send(&r).await.unwrap();
    assert_eq!(reply.model, "claude-haiku-4-5-20251001");
}

/// Issue #12: `count_tokens` has a rate limit of its own: its 429 holds its own retries, not a
/// Messages call made meanwhile by a clone of the same client.
#[tokio::test]
async fn a_count_tokens_429_does_not_delay_messages() {
    let fake = fake().await;
    let c = client(&fake);
    fake.push_count_fault(Fault::status(429).with_header("retry-after", "3"));
    let counter = c.clone();
    let count = tokio::spawn(async move { counter.count_tokens(&request("x")).await });
    // Let the count meet its 429 first.
    let start = Instant::now();
    while fake
        .requests()
        .iter()
        .all(|r| r.path != "/v1/messages/count_tokens")
    {
        assert!(start.elapsed() < Duration::from_secs(5));
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let asked = Instant::now();
    let reply = c.stream(&request("y"), &mut |_| {}).await.unwrap();
    assert_eq!(reply.text, "You said: y");
    assert!(
        asked.elapsed() < Duration::from_secs(2),
        "the Messages call waited for count_tokens' limit: {:?}",
        asked.elapsed()
    );
    let n = count.await.unwrap().unwrap();
    assert!(n > 0);
    assert!(
        start.elapsed() >= Duration::from_secs(3),
        "count_tokens honoured its wait"
    );
}

/// A request on `model` with a system prompt of about `system_tokens` (the fake counts four
/// characters a token) and `turns` earlier turns, as the window engine builds it.
fn long_request(model: &str, system_tokens: usize, turns: usize, new: &str) -> MessagesRequest {
    let system = "word ".repeat(system_tokens * 4 / 5);
    let history = fixtures::turns(turns);
    let w = window::build(&Input {
        system_prompt: Some(&system),
        summary: None,
        history: &history,
        message_tokens: None,
        history_size: None,
        max_tokens: None,
        ratio: 1.0,
        new_message: new,
    })
    .unwrap();
    MessagesRequest::from_window(model, 64, &w, true)
}

/// Issue #12 (the fake, strict): caching by the API's rules: each model's own minimum prefix
/// (1,024 tokens for Sonnet 4.5, 4,096 for Haiku 4.5), a 5-minute TTL on a clock the test
/// controls (a hit refreshes it), and a 20-block lookback from each breakpoint.
#[tokio::test]
async fn the_fake_caches_by_the_apis_rules() {
    let fake = fake().await;
    let c = client(&fake);
    // ~1,500 tokens: cached on Sonnet 4.5, under Haiku 4.5's minimum.
    let first = c
        .send(&long_request("claude-sonnet-4-5", 1500, 2, "a"))
        .await
        .unwrap();
    assert!(
        first.usage.cache_creation_input_tokens >= 1024,
        "{:?}",
        first.usage
    );
    let second = c
        .send(&long_request("claude-sonnet-4-5", 1500, 3, "b"))
        .await
        .unwrap();
    assert!(
        second.usage.cache_read_input_tokens >= 1024,
        "{:?}",
        second.usage
    );
    let haiku = c
        .send(&long_request("claude-haiku-4-5", 1500, 2, "a"))
        .await
        .unwrap();
    let again = c
        .send(&long_request("claude-haiku-4-5", 1500, 3, "b"))
        .await
        .unwrap();
    for u in [&haiku.usage, &again.usage] {
        assert_eq!(
            (u.cache_creation_input_tokens, u.cache_read_input_tokens),
            (0, 0),
            "{u:?}"
        );
    }
    // Four minutes later the entry is still there (and refreshed by the hit); six minutes after
    // that hit it is gone.
    fake.advance_clock(Duration::from_secs(240));
    let later = c
        .send(&long_request("claude-sonnet-4-5", 1500, 4, "c"))
        .await
        .unwrap();
    assert!(later.usage.cache_read_input_tokens > 0, "{:?}", later.usage);
    fake.advance_clock(Duration::from_secs(360));
    let expired = c
        .send(&long_request("claude-sonnet-4-5", 1500, 5, "d"))
        .await
        .unwrap();
    assert_eq!(
        expired.usage.cache_read_input_tokens, 0,
        "{:?}",
        expired.usage
    );
    assert!(expired.usage.cache_creation_input_tokens > 0);
    // A breakpoint more than 20 blocks after the last cached prefix finds nothing but the
    // system prompt's own entry.
    let far = c
        .send(&long_request("claude-sonnet-4-5", 1500, 20, "e"))
        .await
        .unwrap();
    let system_only = c
        .send(&long_request("claude-sonnet-4-5", 1500, 0, "f"))
        .await;
    let system_only = system_only.unwrap();
    assert!(
        far.usage.cache_read_input_tokens > 0,
        "the system breakpoint still hits"
    );
    assert!(
        far.usage.cache_read_input_tokens
            <= system_only.usage.cache_read_input_tokens
                + system_only.usage.cache_creation_input_tokens,
        "no history prefix was found that far back: {:?}",
        far.usage
    );
}

/// Issue #12 (the fake, strict): a prompt over the model's window is the API's 400 "prompt is
/// too long" (with advice to lower the budget); a proxy's HTML 502 is retried and, when it
/// persists, reported with its status and a readable excerpt.
#[tokio::test]
async fn prompt_too_long_and_a_proxys_html_502() {
    let fake = fake().await;
    let c = client(&fake);
    // ~210,000 fake tokens of system prompt on a 200K model.
    let err = c
        .send(&long_request("claude-haiku-4-5", 210_000, 0, "hi"))
        .await
        .unwrap_err()
        .to_string();
    assert!(err.contains("prompt is too long"), "{err}");
    assert!(
        err.contains("kubectl mcp set SESSION --max-tokens"),
        "{err}"
    );
    assert_eq!(fake.message_requests().len(), 1, "not retried");
    // Input under the window but input + max_tokens over it: accepted, and the answer stops
    // where the window is full, with its own stop reason.
    let near = long_request(
        "claude-haiku-4-5",
        199_970,
        0,
        "please answer with many words so that the window fills up",
    );
    let reply = c.send(&near).await.unwrap();
    assert_eq!(
        reply.stop_reason.as_deref(),
        Some("model_context_window_exceeded"),
        "{reply:?}"
    );
    assert!(reply.was_cut());
    assert!(!reply.text.is_empty() && reply.usage.output_tokens <= 64);

    fake.push_fault(Fault::ProxyHtml { status: 502 });
    let reply = c.send(&request("after a bad gateway")).await.unwrap();
    assert_eq!(reply.text, "You said: after a bad gateway");
    for _ in 0..3 {
        fake.push_fault(Fault::ProxyHtml { status: 502 });
    }
    let err = c.send(&request("x")).await.unwrap_err().to_string();
    assert!(err.contains("502"), "{err}");
    assert!(err.contains("502 Bad Gateway"), "{err}");
}

/// Issue #12 (the fake's faults): a stream that stalls after its first delta, and a connection
/// reset in the middle of the body. Where nothing was shown both are retried and a whole
/// answer comes back; where text was shown, an error (the caller says so; nothing partial is
/// returned).
#[tokio::test]
async fn a_stall_after_the_first_delta_and_a_reset_mid_body() {
    let fake = fake().await;
    let mut c = client(&fake).config().clone();
    c.idle_timeout = Duration::from_millis(400);
    let c = ClaudeClient::new(c).unwrap();
    fake.push_fault(Fault::Stall {
        after_deltas: 1,
        pause: Duration::from_secs(3),
    });
    let reply = c.send(&request("one two three")).await.unwrap();
    assert_eq!(reply.text, "You said: one two three");
    assert_eq!(fake.message_requests().len(), 2, "one stall, one retry");
    fake.push_fault(Fault::Stall {
        after_deltas: 1,
        pause: Duration::from_secs(3),
    });
    let mut shown = String::new();
    let err = c
        .stream(&request("one two three"), &mut |t| shown.push_str(t))
        .await
        .unwrap_err();
    assert!(matches!(err, ClaudeError::Timeout { .. }), "{err}");
    assert_eq!(shown, "You ", "the first delta was shown");
    assert_eq!(fake.message_requests().len(), 3);

    fake.push_fault(Fault::Reset { after_deltas: 2 });
    let reply = c.send(&request("one two three")).await.unwrap();
    assert_eq!(reply.text, "You said: one two three");
    assert_eq!(fake.message_requests().len(), 5, "one reset, one retry");
    fake.push_fault(Fault::Reset { after_deltas: 2 });
    let mut shown = String::new();
    let err = c
        .stream(&request("one two three"), &mut |t| shown.push_str(t))
        .await
        .unwrap_err();
    assert!(matches!(err, ClaudeError::StreamCut { .. }), "{err}");
    assert_eq!(shown, "You said: ");
}

/// Issue #12 item 4: an answer that stops with `pause_turn` is continued by sending it back
/// as the last message; the text is joined, usage is the sum of both requests, and a server
/// that pauses forever is given up on after a bounded number of continuations.
#[tokio::test]
async fn a_paused_turn_is_continued() {
    let fake = fake().await;
    let c = client(&fake);
    fake.push_fault(Fault::StopReason {
        text: "First half,".into(),
        stop_reason: "pause_turn".into(),
    });
    fake.push_fault(Fault::Reply(" second half.".into()));
    let mut shown = String::new();
    let reply = c
        .stream(&request("tell me"), &mut |t| shown.push_str(t))
        .await
        .unwrap();
    assert_eq!(reply.text, "First half, second half.");
    assert_eq!(shown, reply.text, "shown as it came, once");
    assert_eq!(reply.stop_reason.as_deref(), Some("end_turn"));
    assert_eq!(reply.continuations, 1);
    let reqs = fake.message_requests();
    assert_eq!(reqs.len(), 2);
    let last = reqs[1].body["messages"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    assert_eq!(last["role"], "assistant");
    assert_eq!(last["content"], "First half,");
    let first_input = reqs[0].body["messages"].as_array().unwrap().len();
    assert_eq!(
        reqs[1].body["messages"].as_array().unwrap().len(),
        first_input + 1
    );
    assert!(reply.usage.output_tokens >= 4, "{:?}", reply.usage);
    // The fake refuses an assistant message last that is not a paused answer (a prefill).
    let mut prefill = request("x");
    prefill.messages.push(kubectl_mcp::claude::RequestMessage {
        role: Role::Assistant,
        content: kubectl_mcp::claude::Content::Text("Sure,".into()),
    });
    let err = c.send(&prefill).await.unwrap_err();
    assert!(err.to_string().contains("prefill"), "{err}");

    // Always pausing: given up after the bound, the answer so far returned as paused.
    fake.play((0..10).fold(Script::new(), |s, i| {
        s.stop(&format!(" part {i}"), "pause_turn")
    }));
    let before = fake.message_requests().len();
    let reply = c.send(&request("y")).await.unwrap();
    assert_eq!(reply.continuations, kubectl_mcp::claude::MAX_CONTINUATIONS);
    assert_eq!(reply.stop_reason.as_deref(), Some("pause_turn"));
    assert_eq!(reply.text, " part 0 part 1 part 2 part 3 part 4");
    assert_eq!(fake.message_requests().len() - before, 5);
}

/// Issue #22: a 200 that is not an event stream (a captive portal's page, a gateway's JSON, an
/// endpoint that ignored `stream: true`) is named for what it is and asked once, not retried and
/// reported as a cut stream.
#[tokio::test]
async fn a_successful_answer_that_is_not_an_event_stream_is_named_and_not_retried() {
    let fake = fake().await;
    let c = client(&fake);
    for (content_type, body, says) in [
        (
            "text/html; charset=utf-8",
            "<html><head><title>Sign in to the guest network</title></head></html>",
            "an HTML page",
        ),
        (
            "application/json",
            r#"{"ok": true, "gateway": "corp"}"#,
            "JSON",
        ),
        (
            "application/json",
            r#"{"type": "message", "id": "msg_1", "content": [{"type": "text", "text": "hi"}]}"#,
            "ignored `stream: true`",
        ),
    ] {
        let before = fake.message_requests().len();
        fake.push_fault(Fault::NotAStream {
            content_type: content_type.into(),
            body: body.into(),
        });
        let err = c.send(&request("hello")).await.unwrap_err();
        assert!(matches!(err, ClaudeError::NotAStream { .. }), "{err}");
        let text = err.to_string();
        assert!(
            text.contains(says) && text.contains("ANTHROPIC_BASE_URL"),
            "{text}"
        );
        assert!(!text.contains("cut after"), "{text}");
        assert_eq!(
            fake.message_requests().len(),
            before + 1,
            "asked once: {text}"
        );
    }
    // The next request is answered as usual.
    let reply = c.send(&request("after the portal")).await.unwrap();
    assert_eq!(reply.text, "You said: after the portal");
}
