//! Seeded generator of synthetic rule catalogues for benchmarks.
//!
//! `cargo run --release --example synth -- --docs 10000 --seed 7 --out DIR`
//! writes `DIR/site.toml`, `DIR/content/sNNN/dNNNNNN.md` (TOML front matter,
//! Chinese-like text of 1–20 KB, median about 5 KB, articles and chapters)
//! and `DIR/content/catalogue.toml` with decisions so that about 20% of the
//! documents end up superseded, amended, repealed or declared invalid.
//! The same seed always gives the same site.

use std::fmt::Write as _;
use std::path::PathBuf;

/// Words the text is drawn from: common vocabulary of Chinese regulations.
const WORDS: &[&str] = &[
    "国家",
    "人民政府",
    "有关部门",
    "应当",
    "依法",
    "管理",
    "监督",
    "检查",
    "规定",
    "责任",
    "单位",
    "个人",
    "组织",
    "建立",
    "健全",
    "制度",
    "工作",
    "加强",
    "保障",
    "权益",
    "信息",
    "公开",
    "行政",
    "机关",
    "审批",
    "许可",
    "登记",
    "备案",
    "处罚",
    "罚款",
    "违反",
    "本办法",
    "本条例",
    "情节严重",
    "县级以上",
    "地方各级",
    "主管部门",
    "负责",
    "协调",
    "指导",
    "服务",
    "安全",
    "生产",
    "环境",
    "保护",
    "资源",
    "利用",
    "发展",
    "规划",
    "实施",
    "标准",
    "质量",
    "市场",
    "经营",
    "企业",
    "社会",
    "公共",
    "利益",
    "合法",
    "程序",
    "申请",
    "受理",
    "决定",
    "通知",
    "报告",
    "调查",
    "处理",
    "投诉",
    "举报",
    "奖励",
    "培训",
    "教育",
    "宣传",
    "财政",
    "资金",
    "预算",
    "使用",
    "统计",
    "数据",
    "档案",
    "会议",
    "文件",
    "公务",
    "接待",
    "廉政",
    "作风",
    "纪律",
    "党组织",
    "基层",
    "群众",
    "村民委员会",
    "居民",
    "社区",
    "街道",
    "乡镇",
    "城市",
    "农村",
    "交通",
    "卫生",
    "医疗",
    "食品",
    "药品",
];

/// xorshift64*: small, fast and reproducible; quality is ample for text.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Body length in bytes: log-normal around 5 KB, clamped to 1–20 KB.
    fn body_len(&mut self) -> usize {
        let normal = (-2.0 * self.unit().max(1e-12).ln()).sqrt()
            * (std::f64::consts::TAU * self.unit()).cos();
        ((5000f64.ln() + 0.6 * normal).exp() as usize).clamp(1000, 20_000)
    }
}

const DIGITS: [&str; 10] = ["", "一", "二", "三", "四", "五", "六", "七", "八", "九"];

/// Article numbers as Chinese numerals (1–999).
fn numeral(n: usize) -> String {
    let (h, t, u) = (n / 100, n / 10 % 10, n % 10);
    let mut s = String::new();
    if h > 0 {
        s.push_str(DIGITS[h]);
        s.push('百');
        if t == 0 && u > 0 {
            s.push('零');
        }
    }
    if t > 0 {
        if !(h == 0 && t == 1) {
            s.push_str(DIGITS[t]);
        }
        s.push('十');
    }
    s.push_str(DIGITS[u]);
    s
}

fn sentence(rng: &mut Rng, out: &mut String) {
    for _ in 0..6 + rng.below(10) {
        out.push_str(WORDS[rng.below(WORDS.len())]);
        if rng.below(5) == 0 {
            out.push('，');
        }
    }
    out.push('。');
}

fn body(rng: &mut Rng, title: &str) -> String {
    let target = rng.body_len();
    let mut text = format!("# {title}\n\n");
    let mut article = 1;
    while text.len() < target {
        if article % 8 == 1 {
            let _ = write!(
                text,
                "## 第{}章 {}\n\n",
                numeral(article / 8 + 1),
                WORDS[rng.below(WORDS.len())]
            );
        }
        let _ = write!(text, "第{}条 ", numeral(article));
        for _ in 0..1 + rng.below(3) {
            sentence(rng, &mut text);
        }
        text.push_str("\n\n");
        article += 1;
    }
    text
}

struct Args {
    docs: usize,
    seed: u64,
    out: PathBuf,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        docs: 1000,
        seed: 1,
        out: PathBuf::from("synthetic-site"),
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let value = it.next().ok_or(format!("{flag} needs a value"))?;
        match flag.as_str() {
            "--docs" => args.docs = value.parse().map_err(|e| format!("--docs: {e}"))?,
            "--seed" => args.seed = value.parse().map_err(|e| format!("--seed: {e}"))?,
            "--out" => args.out = value.into(),
            _ => {
                return Err(format!(
                    "unknown flag {flag}; use --docs N --seed S --out DIR"
                ));
            }
        }
    }
    Ok(args)
}

/// Publication date of document `i`: spread evenly over 2000-01-01..2024-12-31.
fn date(i: usize, n: usize) -> String {
    let start = chrono::NaiveDate::from_ymd_opt(2000, 1, 1).unwrap();
    (start + chrono::Duration::days((i * 9130 / n.max(1)) as i64)).to_string()
}

fn main() -> Result<(), String> {
    let args = parse_args()?;
    let mut rng = Rng(args.seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
    let content = args.out.join("content");
    if args.out.exists() {
        std::fs::remove_dir_all(&args.out).map_err(|e| e.to_string())?;
    }
    let n = args.docs;
    let id = |i: usize| format!("s{:03}/d{:06}", i / 1000, i);
    let mut catalogue = String::new();
    let mut targets = [Vec::new(), Vec::new(), Vec::new()];
    for i in 0..n {
        let kind = rng.below(20);
        let title = format!(
            "{}{}管理办法（第{}号）",
            WORDS[rng.below(WORDS.len())],
            WORDS[rng.below(WORDS.len())],
            i
        );
        let mut fm = format!(
            "+++\ntitle = \"{title}\"\nnumber = \"合成发〔{}〕{}号\"\nissuer = \"合成市{}局\"\nlevel = \"{}\"\npublished = {}\n",
            2000 + i * 25 / n.max(1),
            i,
            WORDS[i % 12],
            ["地方性法规", "地方政府规章", "行政规范性文件"][i % 3],
            date(i, n)
        );
        // kinds 0..4: this document supersedes its predecessor (5%); 4..8 amended,
        // 8..12 repealed, 12..16 invalidated by a decision (5% each).
        if kind == 0 && i > 0 {
            let _ = writeln!(fm, "supersedes = [\"{}\"]", id(i - 1));
        } else if (1..4).contains(&kind) {
            targets[kind - 1].push(id(i));
        }
        fm.push_str("+++\n");
        let path = content.join(format!("{}.md", id(i)));
        std::fs::create_dir_all(path.parent().unwrap()).map_err(|e| e.to_string())?;
        std::fs::write(&path, fm + &body(&mut rng, &title)).map_err(|e| e.to_string())?;
    }
    for (k, (key, list)) in ["amends", "repeals", "invalidates"]
        .iter()
        .zip(&targets)
        .enumerate()
    {
        for (j, chunk) in list.chunks(100).enumerate() {
            let items: Vec<String> = chunk
                .iter()
                .map(|t| format!("  {{ id = \"{t}\", reason = \"清理\" }},"))
                .collect();
            let _ = write!(
                catalogue,
                "[[decision]]\nid = \"decisions/{key}-{j}\"\ntitle = \"关于{key}一批文件的决定（{j}）\"\nnumber = \"合成清〔2025〕{}号\"\ndate = 2025-{:02}-15\n{key} = [\n{}\n]\nwithheld = {}\n\n",
                k * 1000 + j,
                k + 1,
                items.join("\n"),
                j % 5
            );
        }
    }
    std::fs::write(content.join("catalogue.toml"), catalogue).map_err(|e| e.to_string())?;
    std::fs::write(
        args.out.join("site.toml"),
        "title = \"合成规章目录\"\nbase_url = \"/\"\n",
    )
    .map_err(|e| e.to_string())?;
    eprintln!("wrote {n} documents to {}", args.out.display());
    Ok(())
}
