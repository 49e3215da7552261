//! Amending acts applied: the example's 双十条 is computed from its 2013
//! text and the instructions of 青发〔2018〕4号 and 青发〔2023〕7号, each
//! changed article says which act changed it, and the text shown follows the
//! build date. (Failures are the `invalid/amendment_errors` fixture.)

mod common;

use common::Fixture;

const PAGE: &str = "docs/zuofeng/shuangshitiao/index.html";

/// The page's text between the body markers, tags removed.
fn text(html: &str) -> String {
    let body = &html[html.find("<!--text-->").unwrap()..html.find("<!--/text-->").unwrap()];
    common::plain_text(body)
}

#[test]
fn shuangshitiao_shows_the_text_computed_from_both_acts() {
    let f = Fixture::example_site();
    f.build("2026-11-27");
    let page = f.read(PAGE);
    let body = text(&page);
    // 青发〔2018〕4号: article 3 rewritten, words changed in articles 2 and 13.
    assert!(body.contains("第三条 规范公务接待。严格执行《青川市党政机关国内公务接待管理办法》，无公函的公务活动一律不予接待"));
    assert!(body.contains("全市性会议一般不超过半天，能合并召开的合并召开"));
    assert!(body.contains("第十三条 违反本规定的，视情节轻重，对直接责任人员和有关领导干部给予批评教育、通报批评、组织处理或者党纪政务处分。"));
    // 青发〔2023〕7号: article 7 deleted, an article added as 10, item (八)
    // deleted, a paragraph added, everything after renumbered.
    assert!(!body.contains("第七条 改进新闻报道"));
    assert!(body.contains("第七条 严格文稿发表。"));
    assert!(body.contains("不发贺信、贺电。\n"));
    assert!(body.contains("第十条 推动作风建设常态化长效化。"));
    assert!(body.contains("第十一条 全市党员干部必须严格遵守"));
    assert!(!body.contains("（九）严禁参与赌博及变相赌博活动；\n（八）"));
    assert!(body.contains("（七）严禁借婚丧喜庆等事宜大操大办、借机敛财；\n（九）"));
    assert!(body.contains("对查实的作风问题线索，应当在三十日内办结并向举报人反馈。"));
    // Notes: which act changed or added each article, with its history.
    assert!(body.contains("本条经青发〔2018〕4号修改（2018年3月20日起施行）。"));
    assert!(body.contains("本条由青发〔2023〕7号增加（2023年7月1日起施行）。"));
    assert!(page.contains("<summary>本条沿革</summary>"));
    assert!(body.contains("2018年3月20日前： 第三条 规范公务接待。公务接待实行定点、定标、定额"));
    assert!(page.contains("本页为根据修改决定逐条修改后的文本，已并入"));
    assert!(page.contains("docs/zuofeng/shuangshitiao-xiuding-2023/"));
    // Anchors follow the new numbering.
    assert!(page.contains("id=\"art-14\""));
    assert!(!page.contains("id=\"art-15\""));
    // Each act appears once in the timeline: as the version it made.
    let start = page.find("class=\"timeline\"").unwrap();
    let timeline = &page[start..start + page[start..].find("</ol>").unwrap()];
    assert_eq!(timeline.matches("关于修改《").count(), 1, "{timeline}");
    assert_eq!(timeline.matches("关于再次修改《").count(), 1, "{timeline}");
}

#[test]
fn earlier_consolidations_stay_citable_and_the_build_date_picks_the_text() {
    let f = Fixture::example_site();
    f.build("2020-01-01");
    let body = text(&f.read(PAGE));
    assert!(
        body.contains("严禁工作日午间饮酒"),
        "2023 changes not yet in force"
    );
    assert!(
        body.contains("无公函的公务活动一律不予接待"),
        "2018 changes in force"
    );
    let original = f.read("docs/zuofeng/shuangshitiao/2013-01-18/index.html");
    assert!(original.contains("历史版本：自2013年1月18日起施行至2018年3月20日。"));
    assert!(text(&original).contains("工作餐以自助餐为主"));
    let pending = f.read("docs/zuofeng/shuangshitiao/2023-06-30/index.html");
    assert!(pending.contains("尚未施行的版本：将于2023年7月1日起施行。"));
    let compare = f.read("docs/zuofeng/shuangshitiao/compare/2018-03-20/2023-06-30/index.html");
    for row in ["row-deleted", "row-added", "row-renumbered", "row-changed"] {
        assert!(compare.contains(row), "the 对照表 lacks {row}");
    }
    let json: serde_json::Value = serde_json::from_str(&f.read("catalogue.json")).unwrap();
    let doc = json
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["id"] == "zuofeng/shuangshitiao")
        .unwrap();
    let kinds: Vec<&str> = doc["versions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["original", "amended", "amended"]);
}

#[test]
fn an_article_inserted_as_zhi_yi_keeps_every_number() {
    let f = Fixture::example_site();
    f.build("2026-11-27");
    let body = text(&f.read("docs/sixiang/gongmin-daode/index.html"));
    assert!(body.contains("第八条之一 加强网络文明建设。"), "{body}");
    assert!(
        body.contains("开展“清朗青川”网络生态治理"),
        "inner quotes become “…”"
    );
    assert!(body.contains("到2025年") && body.contains("百分之十八"));
}

/// The amending decisions of the shared corpus (`…关于修改《…》的决定`),
/// read by the same parser: instruction lines understood, and lines that
/// look like instructions but are not understood (reported, never skipped).
#[test]
fn corpus_amending_decisions_are_read() {
    let Some(corpus) = common::corpus() else {
        return;
    };
    let (mut acts, mut understood, mut not_understood) = (0, 0, 0);
    for entry in walkdir::WalkDir::new(&corpus).sort_by_file_name() {
        let entry = entry.unwrap();
        let Ok(text) = std::fs::read_to_string(entry.path()) else {
            continue;
        };
        let title = text
            .lines()
            .find(|l| l.starts_with("# "))
            .unwrap_or_default();
        if !(title.contains("关于修改") && title.ends_with("的决定")) {
            continue;
        }
        acts += 1;
        let parsed = gazette::catalogue::amendments::parse(&text);
        let lines: std::collections::BTreeSet<usize> =
            parsed.instructions.iter().map(|(_, line)| *line).collect();
        understood += lines.len();
        not_understood += parsed.problems.len();
        for (line, why) in &parsed.problems {
            eprintln!("{}:{}: {why}", entry.path().display(), line + 1);
        }
    }
    eprintln!(
        "corpus: {acts} amending decisions, {understood} instruction lines understood, {not_understood} not"
    );
    assert!(acts >= 5);
    // 376 of 468 lines when written: the rest are whole-act replacements
    // (`将第二条修改为第六条：`), `增加一条作为第二条：` without a place, and
    // sub-headings of decisions that amend many acts at once.
    assert!(
        understood * 4 >= (understood + not_understood) * 3,
        "fewer than three quarters of the instruction lines are understood"
    );
}
