//! `gazette new DIR`: writes a small working site (config, a few documents,
//! a catalogue with one clean-up decision) that builds as is with the
//! built-in default theme.
//!
//! Only creates files in a new or empty folder; never overwrites.

use std::path::Path;

const FILES: &[(&str, &str)] = &[
    (
        "site.toml",
        "title = \"示例规章目录\"\ndescription = \"本单位现行有效与已废止规范性文件目录\"\nbase_url = \"/\"\nlanguage = \"zh-CN\"\n",
    ),
    (
        "content/guizhang/_index.md",
        "+++\ntitle = \"规章制度\"\n+++\n",
    ),
    (
        "content/guizhang/huiyi-guanli.md",
        "+++\ntitle = \"会议管理办法\"\nnumber = \"示办发〔2020〕1号\"\nissuer = \"示例单位办公室\"\nlevel = \"规范性文件\"\npublished = 2020-01-10\n+++\n# 会议管理办法\n\n第一条 为规范会议管理，提高会议效率，制定本办法。\n\n第二条 会议应当精简，能合并的合并召开。\n\n第三条 本办法自印发之日起施行。\n",
    ),
    (
        "content/guizhang/huiyi-guanli-2024.md",
        "+++\ntitle = \"会议管理办法（2024年修订）\"\nnumber = \"示办发〔2024〕2号\"\nissuer = \"示例单位办公室\"\nlevel = \"规范性文件\"\npublished = 2024-03-01\nsupersedes = [\"guizhang/huiyi-guanli\"]\n+++\n# 会议管理办法（2024年修订）\n\n第一条 为进一步规范会议管理，制定本办法。原[《会议管理办法》](huiyi-guanli.md)同时废止。\n\n第二条 会议时间一般不超过一小时。\n\n第三条 本办法自2024年3月1日起施行。\n",
    ),
    (
        "content/catalogue.toml",
        "[[document]]\nid = \"old/chailv-2010\"\ntitle = \"差旅费管理暂行规定\"\nnumber = \"示办发〔2010〕5号\"\nissuer = \"示例单位办公室\"\npublished = 2010-05-01\n\n[[decision]]\nid = \"qingli/2025\"\ntitle = \"关于废止部分规范性文件的决定\"\nnumber = \"示发〔2025〕1号\"\nissuer = \"示例单位\"\ndate = 2025-01-15\nrepeals = [{ id = \"old/chailv-2010\", reason = \"已被新规定代替\" }]\nwithheld = 1\n",
    ),
];

/// Create the starter site in `dir`, which must be absent or empty.
pub fn new_site(dir: &Path) -> Result<(), String> {
    if dir.exists()
        && std::fs::read_dir(dir)
            .map_err(|e| e.to_string())?
            .next()
            .is_some()
    {
        return Err(format!(
            "{} exists and is not empty; choose a new folder",
            dir.display()
        ));
    }
    for (rel, text) in FILES {
        let path = dir.join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
        }
        std::fs::write(&path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    }
    Ok(())
}
