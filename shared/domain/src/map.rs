//! The street map a tenant's pages draw the grid on: where its tiles come
//! from (a URL template, and an optional annotation layer drawn over it),
//! whose they are (the attribution the provider requires), and in which
//! coordinate system they are drawn.
//!
//! The server stores and answers positions in WGS-84 always. A provider
//! whose tiles are drawn in GCJ-02 (AMap, Tencent) only changes how the
//! pages place positions on its tiles: `static/coords.js` converts both ways.
//! 天地图 draws in CGCS2000, which agrees with WGS-84 to well under a metre.
//! See `docs/maps.md`.

use crate::Problem;
use crate::limits::{self, Text};
use serde::{Deserialize, Serialize};

/// The coordinate system a tile provider draws in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CoordSystem {
    /// GPS's own, as phones report positions.
    Wgs84,
    /// China's geodetic system (天地图): equal to WGS-84 at map scales.
    Cgcs2000,
    /// The offset system Chinese commercial maps must use (AMap, Tencent).
    Gcj02,
}

impl CoordSystem {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Wgs84 => "wgs84",
            Self::Cgcs2000 => "cgcs2000",
            Self::Gcj02 => "gcj02",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "wgs84" => Some(Self::Wgs84),
            "cgcs2000" => Some(Self::Cgcs2000),
            "gcj02" => Some(Self::Gcj02),
            _ => None,
        }
    }
}

/// A tile URL template's most characters.
pub const MAX_TILE_URL_CHARS: usize = 500;
/// The attribution shown in the map's corner.
pub const ATTRIBUTION: Text = Text::new("attribution", 200);
/// The deepest zoom a provider may be asked for.
pub const MAX_ZOOM: u8 = 22;
/// The shallowest `max_zoom` a tenant may set (a township needs streets).
pub const MIN_MAX_ZOOM: u8 = 10;

/// 天地图's vector map and its annotation (Chinese place names), in web
/// Mercator (`_w`) through WMTS, on the servers `t0` to `t7`.
pub const TIANDITU_VECTOR: &str = "https://t{s}.tianditu.gov.cn/vec_w/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0&LAYER=vec&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}&tk={key}";
pub const TIANDITU_ANNOTATION: &str = "https://t{s}.tianditu.gov.cn/cva_w/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0&LAYER=cva&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}&tk={key}";

/// The `pattern` of a tile URL template: `https://` and no white space or
/// control character.
pub fn tile_url_pattern() -> String {
    let ws = limits::WHITE_SPACE_CLASS;
    format!(r"^https://[^{ws}\u0000-\u001f\u007f-\u009f]+$")
}

/// The `pattern` of a provider's sub-domains (`01234567`, `1234`): each
/// character one server, at most 16.
pub fn subdomains_pattern() -> String {
    "^[A-Za-z0-9]{1,16}$".to_string()
}

/// The `pattern` of a provider's key (天地图's `tk`, AMap's `key`).
pub fn key_pattern() -> String {
    "^[A-Za-z0-9_-]{1,100}$".to_string()
}

/// A tenant's map tiles, valid by construction ([`TileSettings::parse`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TileSettings {
    base_url: String,
    overlay_url: Option<String>,
    subdomains: Option<String>,
    attribution: String,
    crs: CoordSystem,
    key: Option<String>,
    max_zoom: u8,
}

/// What a tenant admin sends, as read from JSON: checked by [`TileSettings::parse`].
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TileSettingsInput {
    pub base_url: String,
    #[serde(default)]
    pub overlay_url: Option<String>,
    #[serde(default)]
    pub subdomains: Option<String>,
    pub attribution: String,
    pub crs: CoordSystem,
    #[serde(default)]
    pub key: Option<String>,
    pub max_zoom: u8,
}

/// A tile URL template: 400 past what [`tile_url_pattern`] and
/// [`MAX_TILE_URL_CHARS`] state, 422 without `{z}`, `{x}` and `{y}`.
pub fn check_tile_url(field: &str, url: &str) -> Result<(), Problem> {
    let bad = |why: &str| Problem::validation(field, format!("{field} {why}"));
    if url.chars().count() > MAX_TILE_URL_CHARS {
        return Err(bad("has at most 500 characters"));
    }
    if url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(bad("has no spaces or control characters"));
    }
    let Some(rest) = url.strip_prefix("https://").filter(|r| !r.is_empty()) else {
        return Err(bad("starts with https:// (pages are served over https)"));
    };
    // Past the shape the document states: 422.
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    if authority.contains('@') {
        // Every visitor's browser fetches the tiles: a user or password in
        // the URL would be handed to all of them (and `https://a@b/` reads
        // as host `a` to a person, `b` to the browser).
        return Err(Problem::unprocessable(
            field,
            format!("{field} carries no user name or password before its host"),
        ));
    }
    let has = |p: &str| url.contains(p);
    if !(has("{z}") && has("{x}") && (has("{y}") || has("{-y}"))) {
        return Err(Problem::unprocessable(
            field,
            format!("{field} is a template naming the tile by {{z}}, {{x}} and {{y}} (or {{-y}})"),
        ));
    }
    Ok(())
}

/// A sub-domain list as [`subdomains_pattern`] states it.
pub fn is_subdomains(s: &str) -> bool {
    (1..=16).contains(&s.len()) && s.chars().all(|c| c.is_ascii_alphanumeric())
}

/// A key as [`key_pattern`] states it.
pub fn is_key(s: &str) -> bool {
    (1..=100).contains(&s.len())
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

impl TileSettings {
    /// What a tenant that set nothing gets: 天地图's vector map with its
    /// annotation, which needs the tenant's key before it shows.
    pub fn tianditu() -> TileSettings {
        TileSettings {
            base_url: TIANDITU_VECTOR.to_string(),
            overlay_url: Some(TIANDITU_ANNOTATION.to_string()),
            subdomains: Some("01234567".to_string()),
            attribution: "© 天地图 · 国家地理信息公共服务平台".to_string(),
            crs: CoordSystem::Cgcs2000,
            key: None,
            max_zoom: 18,
        }
    }

    pub fn parse(input: TileSettingsInput) -> Result<TileSettings, Problem> {
        check_tile_url("base_url", &input.base_url)?;
        if let Some(url) = &input.overlay_url {
            check_tile_url("overlay_url", url)?;
        }
        ATTRIBUTION.check(&input.attribution)?;
        // Shown to every resident beside the map: words, never markup (a
        // link, an image or a form there would be the admin's on every phone).
        if input.attribution.contains(['<', '>']) {
            return Err(Problem::unprocessable(
                "attribution",
                "attribution is plain text: the provider's name and notice, without < or >",
            ));
        }
        if let Some(s) = &input.subdomains
            && !is_subdomains(s)
        {
            return Err(Problem::validation(
                "subdomains",
                "subdomains are 1 to 16 letters or digits, one a server (01234567)",
            ));
        }
        if let Some(k) = &input.key
            && !is_key(k)
        {
            return Err(Problem::validation(
                "key",
                "key is 1 to 100 letters, digits, _ or -",
            ));
        }
        if !(MIN_MAX_ZOOM..=MAX_ZOOM).contains(&input.max_zoom) {
            return Err(Problem::validation(
                "max_zoom",
                format!("max_zoom is {MIN_MAX_ZOOM} to {MAX_ZOOM}"),
            ));
        }
        let templates = || std::iter::once(&input.base_url).chain(input.overlay_url.iter());
        if input.subdomains.is_none() && templates().any(|u| u.contains("{s}")) {
            return Err(Problem::unprocessable(
                "subdomains",
                "a template with {s} needs the subdomains it stands for",
            ));
        }
        // A template asking for {key} with no key set is allowed: the pages
        // then draw the grid alone and say that the key is missing.
        Ok(TileSettings {
            base_url: input.base_url,
            overlay_url: input.overlay_url,
            subdomains: input.subdomains,
            attribution: input.attribution,
            crs: input.crs,
            key: input.key,
            max_zoom: input.max_zoom,
        })
    }

    pub fn base_url(&self) -> &str {
        &self.base_url
    }
    pub fn overlay_url(&self) -> Option<&str> {
        self.overlay_url.as_deref()
    }
    pub fn subdomains(&self) -> Option<&str> {
        self.subdomains.as_deref()
    }
    pub fn attribution(&self) -> &str {
        &self.attribution
    }
    pub fn crs(&self) -> CoordSystem {
        self.crs
    }
    pub fn key(&self) -> Option<&str> {
        self.key.as_deref()
    }
    pub fn max_zoom(&self) -> u8 {
        self.max_zoom
    }

    /// Whether a template asks for `{key}` and none is set: the pages then
    /// show the grid on a plain background and say so.
    pub fn needs_key(&self) -> bool {
        self.key.is_none()
            && std::iter::once(self.base_url.as_str())
                .chain(self.overlay_url.as_deref())
                .any(|u| u.contains("{key}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ProblemKind;

    /// AMap's tiles, as a tenant on GCJ-02 sets them.
    fn input() -> TileSettingsInput {
        TileSettingsInput {
            base_url: "https://webrd0{s}.is.autonavi.com/appmaptile?style=8&x={x}&y={y}&z={z}"
                .into(),
            overlay_url: None,
            subdomains: Some("1234".into()),
            attribution: "© 高德地图".into(),
            crs: CoordSystem::Gcj02,
            key: None,
            max_zoom: 18,
        }
    }

    fn check(
        change: impl FnOnce(&mut TileSettingsInput),
        expected: Result<(), (ProblemKind, &str)>,
    ) {
        let mut given = input();
        change(&mut given);
        let got = TileSettings::parse(given)
            .map(|_| ())
            .map_err(|p| (p.kind, p.field.clone().unwrap_or_default()));
        assert_eq!(got, expected.map_err(|(k, f)| (k, f.to_string())));
    }

    #[test]
    fn a_tenant_sets_its_tiles() {
        use ProblemKind::{UnprocessableContent as Unprocessable, Validation};
        check(|_| {}, Ok(()));
        check(
            |i| i.base_url = "http://a/{z}/{x}/{y}".into(),
            Err((Validation, "base_url")),
        );
        check(
            |i| i.base_url = "https://a/{z} /{x}/{y}".into(),
            Err((Validation, "base_url")),
        );
        check(
            |i| i.base_url = "https://".into(),
            Err((Validation, "base_url")),
        );
        check(
            |i| i.base_url = "https://a/{z}/{x}".into(),
            Err((Unprocessable, "base_url")),
        );
        check(|i| i.base_url = "https://a/{z}/{x}/{-y}".into(), Ok(()));
        check(
            |i| i.base_url = "https://tiles.example@evil.example/{z}/{x}/{y}".into(),
            Err((Unprocessable, "base_url")),
        );
        check(
            |i| i.base_url = "https://a/{z}/{x}/{y}?by=@me".into(),
            Ok(()),
        );
        check(
            |i| i.overlay_url = Some("https://b/{z}/{y}".into()),
            Err((Unprocessable, "overlay_url")),
        );
        check(|i| i.subdomains = None, Err((Unprocessable, "subdomains")));
        check(
            |i| i.subdomains = Some("0-7".into()),
            Err((Validation, "subdomains")),
        );
        check(|i| i.key = Some("ab cd".into()), Err((Validation, "key")));
        check(|i| i.key = Some("0123456789abcdef".into()), Ok(()));
        check(
            |i| i.attribution = " ".into(),
            Err((Validation, "attribution")),
        );
        check(
            |i| i.attribution = "<img src=https://tracker.example/p.gif>".into(),
            Err((Unprocessable, "attribution")),
        );
        check(|i| i.attribution = "© 高德地图 & 合作方".into(), Ok(()));
        check(|i| i.max_zoom = 9, Err((Validation, "max_zoom")));
        check(|i| i.max_zoom = 23, Err((Validation, "max_zoom")));
        check(
            |i| i.base_url = format!("https://a/{{z}}/{{x}}/{{y}}?{}", "p".repeat(480)),
            Err((Validation, "base_url")),
        );
    }

    #[test]
    fn tianditu_is_the_default_and_needs_a_key() {
        let default = TileSettings::tianditu();
        assert!(default.needs_key());
        assert_eq!(default.crs(), CoordSystem::Cgcs2000);
        let with_key = TileSettings::parse(TileSettingsInput {
            base_url: default.base_url().into(),
            overlay_url: default.overlay_url().map(Into::into),
            subdomains: default.subdomains().map(Into::into),
            attribution: default.attribution().into(),
            crs: default.crs(),
            key: Some("0123456789abcdef0123456789abcdef".into()),
            max_zoom: default.max_zoom(),
        })
        .expect("天地图's own templates are valid");
        assert!(!with_key.needs_key());
    }
}
