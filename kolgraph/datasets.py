"""Seeded generator of Weibo-style brand events with planted structure, and the shipped sample.

The generator invents a brand event around a fictional phone/car/home ecosystem maker, 岚柚 (Lanyou),
whose shapes follow the motivating case (``shared/design/case.md``): an account matrix that reposts
itself, friendly tech KOLs, ONE long-time critic KOL whose feud with the fan base is mutual, a tiered
fan base (core fans, active fans), a general tech audience, the critic's community, bridges, mass
reposting amplifiers and an outer public. Every name (brand, products, people, media) is invented.

What is planted, and how the roles of ``methods.md`` section 3 can find it:

- **KOLs** (``is_kol``): the ~1% "hub" accounts that hold most of the attention (at least 20):
  the 11 brand accounts, the critic KOL, a few media accounts, and tech KOLs filling the rest.
  Non-hubs receive far fewer distinct engagers, so the top 1% by PageRank are the hubs.
- **Core fans** (``is_core_fan``): brand stance about +0.6..+0.95, at least 4 clearly warm
  brand-directed interactions (mean about 7 plus warm chat naming the brand), dense ties among
  themselves. Active fans are warm too but have only 1-2 brand-directed interactions (support < 3).
- **Critics** (``is_critic``): the critic KOL and minor critics, stance about -0.6..-0.95 with at least
  4 cold brand-directed interactions; the critic's followers repost him but address the brand 0-2 times.
- **Bridges** (``is_bridge``): tech KOLs, media accounts and "bridge" users who split their ties
  between the fan community, the tech community and the public; every other group keeps most of
  its ties inside its home community (participation coefficient mostly below 0.5). The brand
  accounts and the critic KOL also sit between communities (top betweenness) but are not tagged.
- **Amplifiers** (``is_amplifier``): mass-repost brand posts without comment (empty text, so no
  text sentiment) and are never engaged with.
- Heavy tails: the hubs (1% of accounts) receive about 40% of all interactions; the median user
  acts about 6 times; followers are lognormal by group, the company account has the most.
- Signed behaviour: fans reply to the critic KOL with hostility and he answers with contempt;
  his followers reply coldly to the brand. Tone per interaction is ``clip(mu + noise, -1, 1)`` where
  ``mu`` is the source's latent attitude to the target (brand stance, attitude to the critic) or a
  channel constant; the text is drawn from the pool of that tone's bin, so a character n-gram model
  can read it. Text names a brand keyword only where it is meant to be brand-directed. Texts are
  combined from template and fragment pools (emoji codes like [赞] [怒] [微笑], hashtags #...#).

Output columns:

- ``interactions``: src, dst, kind ("repost"/"reply"/"mention"), timestamp (ISO 8601 UTC string,
  ``2026-01-05T08:31:12Z``), text, post_id (int64, unique, increasing with time), and ``sentiment``
  (the true tone in [-1, 1]) only with ``with_sentiment=True``. Rows are sorted by timestamp.
- ``users``: user_id, display_name, followers, verified.
- ``truth``: user_id, group (the generating group, see :data:`GROUPS`), brand_account (company,
  founder, phone, ... or ""), community (planted: brand, tech, critic, media, or general-N for a
  circle of ordinary users), roles ("|"-joined tags as in the analysis output), is_brand_account,
  is_kol, is_core_fan, is_critic, is_critic_kol, is_bridge, is_amplifier, stance (latent brand stance
  in [-1, 1]), critic_attitude (latent attitude toward the critic KOL in [-1, 1]; NaN for the critic
  himself), brand_support (number of brand-directed interactions generated) and realized_stance
  (the shrunk mean ``sum(tone) / (n + 2)`` of the true tones of those interactions).

The shipped sample (``data/sample``, package ``kolgraph.sample`` when installed) was made with::

    kolgraph generate -o data/sample --users 3000 --interactions 30000 --seed 0

and has no sentiment column: the analysis reads stance from the text.

Structure (the hook for the what-if simulator): :func:`plant_population` draws the users and their
latent attitudes, :func:`draw_interactions` draws who acts on whom with which tone from a
population, and :func:`render_interactions` turns that into the interactions frame. A before/after
simulation can shift a population's ``stance`` (``dataclasses.replace``) with known parameters and
draw again from the same generator.
"""

from __future__ import annotations

import dataclasses
import importlib.resources
import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ._io import write_json, write_table, write_text
from .config import BrandConfig, params_from_mapping
from .progress import progress
from .schema import ConfigError, KINDS, KolgraphError

__all__ = [
    "GROUPS",
    "ROLE_TAGS",
    "SAMPLE_COMMAND",
    "EventParams",
    "Population",
    "RawInteractions",
    "BrandEvent",
    "SamplePaths",
    "generate_event",
    "plant_population",
    "draw_interactions",
    "render_interactions",
    "write_event",
    "load_sample",
]

#: The command that made ``data/sample`` (checked by the tests).
SAMPLE_COMMAND = "kolgraph generate -o data/sample --users 3000 --interactions 30000 --seed 0"

#: Generating groups, in the order users are planted (the codes of :attr:`Population.group`).
GROUPS: tuple[str, ...] = (
    "brand", "critic_kol", "media", "tech_kol", "core_fan", "active_fan", "bridge",
    "tech_audience", "critic_follower", "critic", "amplifier", "ordinary",
)
_G = {name: i for i, name in enumerate(GROUPS)}
_HUB_GROUPS = ("brand", "critic_kol", "media", "tech_kol")

#: Role tags planted in ``truth.roles`` (the analysis uses the same spelling).
ROLE_TAGS: tuple[str, ...] = ("brand_account", "kol", "core_fan", "critic", "critic_kol", "bridge", "amplifier")

# ---------------------------------------------------------------------------------------------
# The fictional world: brand, accounts, names
# ---------------------------------------------------------------------------------------------

BRAND_NAME = "岚柚 Lanyou"
BRAND_KEYWORDS: tuple[str, ...] = ("岚柚", "Lanyou", "青柚")

#: (user_id, display name, followers, attention weight, account role). The company account is largest.
BRAND_ACCOUNTS: tuple[tuple[str, str, int, float, str], ...] = (
    ("lanyou_official", "岚柚科技", 41_800_000, 1.00, "company"),
    ("zhouyuchuan", "周屿川", 27_600_000, 0.85, "founder"),
    ("lanyou_phone", "岚柚手机", 8_600_000, 0.45, "phone"),
    ("lanyou_auto", "岚柚汽车", 5_200_000, 0.38, "car"),
    ("lanyou_home", "岚柚智家", 2_100_000, 0.20, "home"),
    ("lanyou_eco", "岚柚生态链", 1_600_000, 0.15, "ecosystem"),
    ("lanyou_service", "岚柚客服", 1_200_000, 0.13, "service"),
    ("lanyou_store", "岚柚商城", 3_400_000, 0.12, "store"),
    ("qingyou_official", "青柚", 2_700_000, 0.14, "sub_brand"),
    ("linzhixia_ly", "林知夏", 3_100_000, 0.14, "executive"),
    ("shenmu_ly", "沈牧", 1_400_000, 0.11, "executive"),
)
CRITIC_KOL = ("laozhong_zhenhua", "老钟说真话", 4_600_000)
MEDIA_NAMES: tuple[tuple[str, str], ...] = (
    ("huisheng_tech", "回声科技"), ("lengjing_digi", "棱镜数码志"), ("qingshi_news", "青石快讯"),
    ("xiangshu_fin", "橡树财经观察"), ("dengta_auto", "灯塔车评"), ("fangcun_daily", "方寸科技日报"),
    ("zhedie_view", "折叠视界"), ("yanye_digi", "岩页数码"),
)
_KOL_PREFIX = ("数码", "科技", "极客", "玩机", "硬件", "评测", "电子", "测评", "影像", "车评")
_KOL_PERSONA = ("老张", "阿杰", "小北", "大宇", "浩哥", "老K", "小鱼", "Mike", "阿飞", "老炮",
                "小林", "一哥", "Leo", "胖虎", "阿星", "木木", "老唐", "Kevin")
_NICK_ADJ = ("快乐的", "爱吃", "一只", "不会飞的", "安静的", "努力的", "佛系", "熬夜的", "爱喝奶茶的",
             "迷路的", "认真的", "柠檬味的", "路过的", "今天也要", "温柔的", "暴躁的")
_NICK_NOUN = ("小熊", "咸鱼", "猫咪", "星星", "橘子", "土豆", "小白", "打工人", "少年", "兔子",
              "胖丁", "月亮", "饼干", "鲸鱼", "阿狸", "程序员")
_FAN_PREFIX = "柚粉·"

#: Brand account roles that answer users (customer care).
_CARE_ROLES = ("service", "store")

# ---------------------------------------------------------------------------------------------
# Text pools. Slots: {kw} brand keyword, {p} product, {tp} tech topic, {ep}/{en}/{e0} positive /
# negative / neutral emoji, {tag} the topic's hashtags, {x} a tail matching the tone's polarity.
# Tone bins: 0 strong negative, 1 negative, 2 neutral, 3 positive, 4 strong positive.
# ---------------------------------------------------------------------------------------------

_BIN_EDGES = np.array([-0.55, -0.15, 0.15, 0.55])
_BIN_RANGES = ((-1.0, -0.55), (-0.55, -0.15), (-0.15, 0.15), (0.15, 0.55), (0.55, 1.0))

_SLOTS = ("kw", "p", "tp", "ep", "en", "e0", "tag", "x", "pre")
_SLOT_POOLS: dict[str, tuple[str, ...]] = {
    "kw": ("岚柚", "岚柚", "岚柚", "Lanyou"),
    "p": ("晴空手机", "晴空Pro", "远山SUV", "远山轿跑", "暖居空调", "轻羽手环", "澄澈耳机",
          "青柚平板", "智家音箱", "扫地机器人"),
    "tp": ("芯片", "影像", "续航", "快充", "屏幕", "系统更新", "散热", "信号", "智驾", "折叠屏"),
    "ep": ("[赞]", "[心]", "[哈哈]", "[鼓掌]", "[爱你]", "[good]", "[给力]", "[太开心]", "[嘻嘻]", "[doge]", ""),
    "en": ("[怒]", "[怒]", "[微笑]", "[怒骂]", "[哼]", "[吐]", "[失望]", "[黑线]", "[白眼]"),
    "e0": ("", "", "[思考]", "[费解]", "[吃瓜]"),
}
# tails and casual openers by the tone's polarity
_TAILS = {
    "neg": ("", "。", "。。。", "？", "！", " 呵呵", " 无语"),
    "neu": ("", "。", "？", " 蹲一个", " mark"),
    "pos": ("", "！", "！！", "～", "哈哈哈", " 冲冲冲", " 爱了"),
}
_OPENERS = {
    "neg": ("", "", "", "说实话，", "唉，", "呵呵，", "服了，"),
    "neu": ("", "", "", "话说，", "路过，"),
    "pos": ("", "", "", "讲真，", "哇，", "啊啊啊", "必须说，"),
}
_TAGS = {
    "brand": ("#岚柚新品发布会#", "#远山SUV交付#", "#晴空手机首销#", "#岚柚十周年#", ""),
    "critic": ("#老钟说真话#", "#数码圈那些事#", ""),
    "tech": ("#数码评测#", "#科技新知#", "#手机影像大赛#", ""),
    "daily": ("#周末去哪儿#", "#打工人日常#", "#今日份快乐#", ""),
    "none": ("",),
}

# topic -> (hashtag pool, casual openers?, five lists of templates: strong neg, neg, neutral, pos, strong pos).
# Negative texts carry plain negative words (失望, 垃圾, 无语 ...) and emoji, positive ones plain praise,
# so that a character n-gram model trained on ordinary Weibo posts reads the tone. An empty template
# is a bare repost (no comment).
_TOPICS: dict[str, tuple[str, bool, tuple[tuple[str, ...], ...]]] = {
    # users -> brand accounts
    "brand": ("brand", True, (
        ("{kw}{p}质量太差了，垃圾{en}{x}", "{tag}{kw}又翻车了，恶心{en}", "再也不买{kw}了，{p}用了三天就坏，气死{en}",
         "{kw}就会割韭菜，骗子{en}{x}", "{kw}的情怀营销真让人恶心{en}", "退货！{kw}{p}垃圾，智商税{en}",
         "{kw}滚出数码圈{en}{x}", "{kw}{p}太烂了，后悔死了{en}"),
        ("{kw}{p}续航让人失望{en}", "{kw}品控太差了，无语{en}{x}", "{p}又降价了，{kw}老用户很无语{en}",
         "{kw}客服半天不回复，体验很差{en}", "说好的{p}呢？{kw}又跳票，失望{en}{x}", "{kw}的营销烦死了{en}",
         "{kw}{p}的做工不行，失望{en}", "{kw}{p}有点坑，不推荐{en}"),
        ("{kw}{p}什么时候发货？{e0}", "{tag}{kw}{p}和上一代有什么区别{x}", "请问{kw}{p}支持以旧换新吗{e0}",
         "{kw}的{p}价格出来了吗{x}", "{kw}{p}几号开售{e0}", "{kw}{p}，观望中{e0}", "{kw}{p}在哪里能买到{x}"),
        ("{kw}{p}还不错，挺好用的{ep}", "{p}体验不错，{kw}这次用心了{ep}{x}", "{tag}已下单{kw}{p}，期待{ep}",
         "{kw}的售后挺靠谱，点赞{ep}", "{kw}{p}颜值在线，喜欢{ep}{x}", "给{kw}点个赞{ep}", "{kw}{p}挺满意的{ep}"),
        ("{kw}{p}真的太香了{ep}{x}", "支持{kw}！{p}用了一个月，爱了爱了{ep}", "{tag}{kw}yyds，{p}买爆{ep}{x}",
         "从第一代就开始用{kw}，这次{p}依旧惊艳{ep}", "{kw}良心价格，{p}必须支持{ep}{x}",
         "太喜欢{kw}了，全家都换成{kw}{ep}", "{kw}加油！期待{p}{ep}{x}", "感谢{kw}，{p}做工太棒了{ep}",
         "永远支持{kw}，{p}真好用{ep}"),
    )),
    # tech KOLs -> brand accounts (partner reviews)
    "review": ("brand", False, (
        ("{kw}{p}这次很失望，不推荐{en}", "{kw}{p}翻车了，问题太多，差评{en}"),
        ("{kw}{p}的发热让人失望，希望改进{en}", "{kw}{p}系统bug太多，体验差{en}"),
        ("{kw}{p}开箱，参数整理好了{e0}", "{kw}{p}评测视频今晚更新{e0}", "{tag}{kw}{p}与竞品对比{x}"),
        ("{kw}{p}首发体验：整体不错{ep}", "{kw}{p}评测来了，优点明显{ep}{x}", "{kw}{p}值得一看，喜欢{ep}"),
        ("上手{kw}{p}一周，{tp}很惊艳，推荐{ep}", "{tag}{kw}{p}深度评测：这次真的强{ep}",
         "{kw}{p}是今年最值得买的产品之一{ep}", "{kw}{p}的{tp}太优秀了，强烈推荐{ep}"),
    )),
    # brand accounts -> each other (promotion)
    "promo": ("brand", False, (
        (), (),
        ("{kw}{p}预约通道已开启{e0}", "{kw}{p}发布会直播回放{x}"),
        ("{tag}{kw}{p}今日开售，欢迎体验{ep}", "{kw}{p}新配色上线，好看{ep}"),
        ("{tag}{p}正式开售！{kw}感谢每一位用户{ep}", "{kw}{p}首销告捷，感谢支持{ep}", "好消息！{kw}{p}全面升级{ep}{x}",
         "{kw}新品{p}，今晚见{ep}", "{kw}{p}交付破万，感谢信任{ep}", "一起见证{kw}{p}的诞生{ep}"),
    )),
    # media -> brand accounts
    "news": ("brand", False, (
        ("【曝光】{kw}{p}多地出现故障，用户愤怒{en}",),
        ("{kw}{p}被曝质量问题，用户失望", "【关注】{kw}{p}投诉不断，用户吐槽差评"),
        ("{tag}{kw}{p}今日发布，售价公布", "【快讯】{kw}{p}销量公布{x}", "{kw}召开发布会，{p}亮相",
         "据悉{kw}将在下月推出{p}", "{kw}回应{p}相关问题", "【数据】{kw}本季度出货量发布"),
        ("{kw}{p}首月销量亮眼", "【快讯】{kw}{p}获行业大奖"),
        ("【喜报】{kw}{p}刷新销量纪录{ep}",),
    )),
    # service / store accounts -> users
    "care": ("none", False, (
        (), (),
        ("您好，请提供订单号，{kw}客服为您查询{e0}", "{kw}客服已收到您的反馈{x}"),
        ("您好，{kw}客服已私信您，祝您愉快{ep}", "亲，{p}的问题已为您登记，感谢支持{ep}"),
        ("感谢支持{kw}！有问题随时联系我们{ep}", "{kw}商城福利已送达，祝您生活愉快{ep}"),
    )),
    # the critic KOL -> fans (contempt, names the brand)
    "critic_talk": ("critic", False, (
        ("{kw}不会死，{kw}的粉丝会{en}", "{kw}粉丝的逻辑真是可笑{en}", "又来一群{kw}水军，恶心{en}",
         "{kw}粉丝除了骂人还会什么，垃圾{en}{x}", "被{kw}割了还帮着数钱，可悲{en}", "{tag}{kw}粉丝又开始洗地了，无耻{en}"),
        ("{kw}粉丝能不能冷静一下，无语{en}", "你们{kw}粉丝太没道理了{en}", "说两句实话就被{kw}粉丝围攻，可悲{en}"),
        ("{kw}的事我说完了，信不信随你{e0}", "{tag}关于{kw}，我只说事实{x}"),
        (), (),
    )),
    # fans -> the critic KOL and critics (no brand keyword)
    "hostile": ("none", True, (
        ("你又来带节奏了？滚{en}", "黑子能不能闭嘴，恶心{en}{x}", "恶心的流量狗，吃相太难看{en}", "天天造谣，你不累吗{en}",
         "就你懂？跳梁小丑{en}", "收了多少钱来抹黑？无耻{en}", "拉黑了，垃圾博主{en}{x}"),
        ("又在阴阳怪气，无语{en}", "你这观点太偏激了，失望{en}", "能不能客观一点，烦{en}{x}", "懒得理你，无聊{en}",
         "取关了，失望{en}"),
        ("你说的我不太认同{e0}", "还是看数据说话吧{e0}", "等官方说法吧{x}"),
        ("这次你说的有点道理{ep}", "这条还算客观，点赞{ep}"),
        ("偶尔也说句公道话，点赞{ep}",),
    )),
    # the critic's followers -> the critic KOL
    "support_critic": ("critic", True, (
        ("这次真的离谱，取关，失望{en}",),
        ("这次有点过了吧，无语{en}", "说的不对，失望{en}"),
        ("", "mark一下{e0}", "先看看{e0}", "{tag}吃瓜{e0}"),
        ("说得有道理{ep}", "赞同，理性发声{ep}{x}", "终于有人说出来了，支持{ep}"),
        ("老钟说得太对了{ep}{x}", "敢说真话，支持{ep}", "句句在理，必须转发{ep}", "{tag}清醒的人，支持{ep}"),
    )),
    # critics -> fans (sarcasm, no brand keyword)
    "mock_fans": ("none", True, (
        ("粉丝真是无脑护主，可悲{en}", "醒醒吧，被割了还开心{en}{x}", "饭圈那一套真让人恶心{en}", "脑残粉又来了，烦{en}"),
        ("别吹了，无语{en}", "你开心就好，呵呵{en}", "理性消费吧，唉{en}{x}"),
        ("各有各的看法吧{e0}", "吃瓜{e0}"),
        ("你说的也有道理{ep}",),
        ("这点确实说得好{ep}",),
    )),
    # critics among themselves
    "critic_chat": ("critic", True, (
        ("那帮粉丝真是没救了，恶心{en}",),
        ("那帮粉丝又来了，烦{en}", "真是无语{en}{x}"),
        ("怎么看{e0}", ""),
        ("同感{ep}", "握手，终于遇到明白人{ep}"),
        ("说到我心坎里了{ep}{x}", "太赞同了，清醒{ep}"),
    )),
    # core fans among themselves (names the brand, warm)
    "fan_chat_kw": ("brand", True, (
        ("{kw}这样下去真的要失去我们了，伤心{en}",),
        ("{kw}这次确实有点失望{en}", "{kw}{p}排队太久了，烦{en}"),
        ("{kw}{p}到货了吗{e0}", "{kw}发布会几点开始{e0}"),
        ("同款{kw}{p}，好用{ep}", "一起去{kw}之家看看吧{ep}{x}", "{kw}{p}的新功能你试了吗，挺好{ep}"),
        ("{kw}的朋友们冲呀{ep}{x}", "今天又是为{kw}骄傲的一天{ep}", "{tag}柚子们一起支持{kw}{ep}",
         "和你一样，{kw}{p}已经下单了，开心{ep}", "{kw}粉丝永远在{ep}"),
    )),
    # fans chatting without naming the brand
    "fan_chat": ("none", True, (
        ("气死我了，那些黑子{en}",),
        ("别理那些人了，不值得，心累{en}", "心累，难受{en}"),
        ("在吗{e0}", "明天一起去吗{e0}", "几点到{x}"),
        ("同意{ep}", "哈哈哈，好可爱{ep}", "谢谢分享，很有用{ep}{x}", "说得好{ep}"),
        ("姐妹说得太好了{ep}{x}", "抱抱，我们一直都在{ep}", "太赞了，一起加油{ep}", "爱你哟，谢谢分享{ep}"),
    )),
    # tech talk around tech KOLs (no brand keyword)
    "tech": ("tech", True, (
        ("广告太多了，取关，恶心{en}", "{tp}评测明显偏心，垃圾{en}"),
        ("{tp}表现一般，有点失望{en}", "又是恰饭视频吧，无语{en}{x}", "{tp}测试不严谨，差评{en}"),
        ("请问{tp}怎么样{e0}", "{tp}和上一代比有提升吗{x}", "蹲一个{tp}对比{e0}", "{tag}{tp}方面有什么推荐{e0}"),
        ("{tp}这块确实进步不小{ep}", "视频做得不错{ep}", "支持原创评测{ep}{x}"),
        ("测评太专业了，学到了，谢谢{ep}", "{tp}讲得很清楚，感谢{ep}{x}", "{tag}干货满满，收藏了{ep}"),
    )),
    # everyday chat of the outer public
    "daily": ("daily", True, (
        ("气死了，什么破事{en}", "太恶心了吧{en}{x}"),
        ("好累啊，不想上班，烦{en}", "又下雨了，烦{en}{x}", "心情不好，难受{en}"),
        ("", "马克一下{e0}", "来了{x}", "在哪里买的？{e0}", "{tag}今天吃什么{e0}"),
        ("哈哈哈笑死{ep}", "不错不错{ep}{x}", "羡慕{ep}"),
        ("今天超开心{ep}{x}", "{tag}太美了，爱了{ep}", "好可爱，喜欢{ep}", "周末快乐！{ep}"),
    )),
    # news around media and KOLs (no brand keyword)
    "news_general": ("tech", False, (
        ("离谱，这也能发，无语{en}",),
        ("这新闻标题党，失望{en}",),
        ("【快讯】{tp}行业新动态{e0}", "【数码圈】本周热点回顾{x}", "【专访】聊聊{tp}的未来{e0}", "", "关注{e0}"),
        ("好消息{ep}", "有意思{ep}"),
        ("太棒了，期待{ep}",),
    )),
    # amplifiers' bare reposts: no comment at all
    "amplify": ("none", False, ((), (), ("",), (), ())),
}
# "debate": outsiders reacting to the critic KOL, hostile when negative and supportive when positive
_DEBATE = ("hostile", "hostile", "support_critic", "support_critic", "support_critic")
_TOPIC_NAMES = tuple(_TOPICS) + ("debate",)
_T = {name: i for i, name in enumerate(_TOPIC_NAMES)}

# ---------------------------------------------------------------------------------------------
# Channels: who acts on whom, how, with which tone and text topic
# ---------------------------------------------------------------------------------------------

#: Target pools: a name -> groups drawn from (with their attention weights).
_POOLS: dict[str, tuple[str, ...]] = {
    "brand": ("brand",), "critic_kol": ("critic_kol",), "media": ("media",), "tech_kol": ("tech_kol",),
    "core_fan": ("core_fan",), "fans": ("core_fan", "active_fan"), "fan_chat": ("core_fan", "active_fan", "bridge"),
    "active_fan": ("active_fan",), "tech_audience": ("tech_audience", "bridge"),
    "critic_circle": ("critic_follower", "critic"), "critic": ("critic",), "ordinary": ("ordinary",),
    "care": ("core_fan", "active_fan", "ordinary", "tech_audience"),
}

# (pool, probability, (p_repost, p_reply, p_mention), tone source, tone mean, topic)
# tone source: "stance" (source's latent brand stance), "critic" (source's attitude to the critic KOL),
# or "const" (the given mean). Target pool "circle" is the source's own circle of ordinary users.
_RPM_CHAT = (0.2, 0.6, 0.2)
_FREE_CHANNELS: dict[str, tuple[tuple[str, float, tuple[float, float, float], str, float, str], ...]] = {
    # Every group keeps most of its weight inside its home community (participation below 0.5);
    # tech KOLs, media and bridge users are the ones that split it (participation above 0.5).
    "media": (
        ("tech_kol", 0.5, (0.3, 0.2, 0.5), "const", 0.0, "news_general"),
        ("critic_kol", 0.25, (0.2, 0.2, 0.6), "const", 0.0, "news_general"),
        ("media", 0.25, (0.6, 0.1, 0.3), "const", 0.0, "news_general"),
    ),
    "tech_kol": (
        ("tech_audience", 0.5, (0.1, 0.8, 0.1), "const", 0.35, "tech"),
        ("tech_kol", 0.25, (0.5, 0.3, 0.2), "const", 0.35, "tech"),
        ("media", 0.10, (0.7, 0.1, 0.2), "const", 0.0, "news_general"),
        ("fans", 0.15, (0.0, 0.9, 0.1), "const", 0.35, "tech"),
    ),
    "core_fan": (
        ("brand", 0.15, (0.5, 0.4, 0.1), "stance", 0.0, "brand"),
        ("core_fan", 0.32, _RPM_CHAT, "const", 0.65, "fan_chat_kw"),
        ("fan_chat", 0.15, _RPM_CHAT, "const", 0.55, "fan_chat"),
        ("critic_kol", 0.12, (0.0, 0.85, 0.15), "critic", 0.0, "hostile"),
        ("critic_circle", 0.03, (0.0, 0.85, 0.15), "const", -0.6, "hostile"),
        ("tech_kol", 0.15, (0.6, 0.35, 0.05), "const", 0.45, "tech"),
        ("media", 0.08, (0.7, 0.2, 0.1), "const", 0.0, "news_general"),
    ),
    "active_fan": (
        ("core_fan", 0.50, _RPM_CHAT, "const", 0.5, "fan_chat"),
        ("fan_chat", 0.35, _RPM_CHAT, "const", 0.5, "fan_chat"),
        ("tech_kol", 0.06, (0.5, 0.4, 0.1), "const", 0.3, "tech"),
        ("critic_kol", 0.04, (0.0, 0.85, 0.15), "critic", 0.0, "hostile"),
        ("media", 0.03, (0.7, 0.2, 0.1), "const", 0.0, "news_general"),
        ("ordinary", 0.02, _RPM_CHAT, "const", 0.15, "daily"),
    ),
    "bridge": (
        ("fan_chat", 0.30, _RPM_CHAT, "const", 0.5, "fan_chat"),
        ("tech_audience", 0.15, _RPM_CHAT, "const", 0.3, "tech"),
        ("tech_kol", 0.15, (0.5, 0.4, 0.1), "const", 0.3, "tech"),
        ("ordinary", 0.25, _RPM_CHAT, "const", 0.15, "daily"),
        ("media", 0.15, (0.7, 0.2, 0.1), "const", 0.0, "news_general"),
    ),
    "tech_audience": (
        ("tech_kol", 0.62, (0.45, 0.45, 0.10), "const", 0.2, "tech"),
        ("tech_audience", 0.28, _RPM_CHAT, "const", 0.2, "tech"),
        ("media", 0.04, (0.7, 0.2, 0.1), "const", 0.0, "news_general"),
        ("critic_kol", 0.03, (0.2, 0.7, 0.1), "critic", 0.0, "debate"),
        ("ordinary", 0.03, _RPM_CHAT, "const", 0.1, "daily"),
    ),
    "critic_follower": (
        ("critic_kol", 0.60, (0.7, 0.25, 0.05), "critic", 0.0, "support_critic"),
        ("critic", 0.15, _RPM_CHAT, "const", 0.45, "critic_chat"),
        ("critic_circle", 0.10, _RPM_CHAT, "const", 0.45, "critic_chat"),
        ("fans", 0.07, (0.0, 0.8, 0.2), "const", -0.6, "mock_fans"),
        ("media", 0.05, (0.7, 0.2, 0.1), "const", 0.0, "news_general"),
        ("ordinary", 0.03, _RPM_CHAT, "const", 0.1, "daily"),
    ),
    "critic": (
        ("critic_kol", 0.55, (0.8, 0.15, 0.05), "critic", 0.0, "support_critic"),
        ("critic_circle", 0.30, (0.5, 0.4, 0.1), "const", 0.45, "critic_chat"),
        ("core_fan", 0.08, (0.0, 0.8, 0.2), "const", -0.65, "mock_fans"),
        ("media", 0.04, (0.7, 0.2, 0.1), "const", 0.0, "news_general"),
        ("tech_kol", 0.03, (0.3, 0.6, 0.1), "const", -0.1, "tech"),
    ),
    "ordinary": (
        ("circle", 0.90, _RPM_CHAT, "const", 0.1, "daily"),
        ("tech_kol", 0.03, (0.5, 0.4, 0.1), "const", 0.15, "tech"),
        ("media", 0.03, (0.7, 0.2, 0.1), "const", 0.0, "news_general"),
        ("critic_kol", 0.02, (0.3, 0.6, 0.1), "critic", 0.0, "debate"),
        ("fans", 0.01, _RPM_CHAT, "const", 0.1, "daily"),
        ("tech_audience", 0.01, _RPM_CHAT, "const", 0.1, "daily"),
    ),
}

# Brand-directed interactions per user of each group: (topic, kinds, tone source, tone mean)
_BRAND_CHANNEL: dict[str, tuple[str, tuple[float, float, float], str, float]] = {
    "critic_kol": ("brand", (0.0, 0.4, 0.6), "stance", 0.0),
    "media": ("news", (0.5, 0.0, 0.5), "stance", 0.0),
    "tech_kol": ("review", (0.6, 0.3, 0.1), "stance", 0.0),
    "core_fan": ("brand", (0.6, 0.35, 0.05), "stance", 0.0),
    "active_fan": ("brand", (0.5, 0.4, 0.1), "stance", 0.0),
    "bridge": ("brand", (0.5, 0.4, 0.1), "stance", 0.0),
    "tech_audience": ("brand", (0.4, 0.5, 0.1), "stance", 0.0),
    "critic_follower": ("brand", (0.1, 0.75, 0.15), "stance", 0.0),
    "critic": ("brand", (0.05, 0.65, 0.3), "stance", 0.0),
    "amplifier": ("amplify", (1.0, 0.0, 0.0), "stance", 0.0),
    "ordinary": ("brand", (0.4, 0.5, 0.1), "stance", 0.0),
}

# Free-activity weight per group: (multiplier, lognormal sigma); 0 = only the fixed channels.
_ACTIVITY: dict[str, tuple[float, float]] = {
    "brand": (0.0, 0.0), "critic_kol": (0.0, 0.0), "amplifier": (0.0, 0.0),
    "media": (2.0, 0.3), "tech_kol": (2.0, 0.5), "core_fan": (1.5, 0.6), "active_fan": (1.0, 0.7),
    "bridge": (1.5, 0.5), "tech_audience": (0.9, 0.9), "critic_follower": (1.0, 0.8), "critic": (2.0, 0.5),
    "ordinary": (0.6, 1.1),
}
# Attention (as a target within its group): lognormal sigma; hubs use explicit / Zipf weights.
_ATTENTION_SIGMA: dict[str, float] = {
    "core_fan": 0.5, "active_fan": 0.6, "bridge": 0.5, "tech_audience": 0.6, "critic_follower": 0.6,
    "critic": 0.5, "ordinary": 0.8, "amplifier": 0.0,
}
# Latent attitudes per group: (brand stance low, high), (attitude to the critic low, high).
_ATTITUDES: dict[str, tuple[tuple[float, float], tuple[float, float]]] = {
    "brand": ((0.85, 0.95), (-0.5, -0.2)),
    "critic_kol": ((-0.95, -0.85), (1.0, 1.0)),
    "media": ((-0.05, 0.05), (-0.05, 0.05)),
    "tech_kol": ((0.4, 0.7), (-0.3, 0.1)),
    "core_fan": ((0.6, 0.95), (-0.95, -0.6)),
    "active_fan": ((0.3, 0.8), (-0.7, -0.2)),
    "bridge": ((0.2, 0.6), (-0.4, 0.0)),
    "tech_audience": ((-0.1, 0.4), (-0.3, 0.3)),
    "critic_follower": ((-0.7, -0.2), (0.4, 0.9)),
    "critic": ((-0.95, -0.6), (0.3, 0.8)),
    "amplifier": ((0.0, 0.12), (-0.1, 0.1)),
    "ordinary": ((-0.2, 0.25), (-0.3, 0.3)),
}
_COMMUNITY = {
    "brand": "brand", "core_fan": "brand", "active_fan": "brand", "bridge": "brand", "amplifier": "brand",
    "tech_kol": "tech", "tech_audience": "tech", "critic_kol": "critic", "critic_follower": "critic",
    "critic": "critic", "media": "media", "ordinary": "general",
}
# Followers per group: (median, lognormal sigma).
_FOLLOWERS: dict[str, tuple[float, float]] = {
    "media": (3_000_000, 0.8), "tech_kol": (900_000, 0.9), "core_fan": (600, 1.2), "active_fan": (400, 1.2),
    "bridge": (800, 1.2), "tech_audience": (300, 1.2), "critic_follower": (300, 1.2), "critic": (500, 1.2),
    "amplifier": (40, 0.7), "ordinary": (150, 1.3),
}


@dataclass(frozen=True)
class EventParams:
    """Knobs of the generator; every field has a default, shares are fractions of ``n_users``.

    Hub accounts (KOLs) number ``max(min_kols, ceil(kol_share * n_users))``: the 11 brand accounts,
    the critic KOL, ``media_share_of_kols`` of the hubs as media, and tech KOLs for the rest.
    Interaction counts per user in the fixed brand-directed channels: core fans
    ``core_fan_min_brand + Poisson(0.3 * per_user)``, minor critics ``critic_min_brand +
    Poisson(0.2 * per_user)``, active fans / bridges / tech KOLs 1-2, others 0-2; amplifiers repost
    ``per_user * U(2, 4)`` times. ``tone_noise`` is the sd of the per-interaction tone around the
    latent attitude. Timestamps span ``days`` days from ``start`` (UTC), with ``burst_share`` of the
    rows in three bursts (a launch, the critic's viral post, a delivery day).
    """

    interactions_per_user: float = 10.0
    kol_share: float = 0.01
    min_kols: int = 20
    media_share_of_kols: float = 0.1
    core_fan_share: float = 0.06
    active_fan_share: float = 0.12
    bridge_share: float = 0.02
    tech_audience_share: float = 0.15
    critic_follower_share: float = 0.05
    critic_share: float = 0.02
    amplifier_share: float = 0.01
    core_fan_min_brand: int = 4
    critic_min_brand: int = 4
    circle_size: int = 30
    tone_noise: float = 0.15
    start: str = "2026-01-05T00:00:00Z"
    days: float = 28.0
    burst_share: float = 0.35

    def __post_init__(self) -> None:
        shares = [self.core_fan_share, self.active_fan_share, self.bridge_share, self.tech_audience_share,
                  self.critic_follower_share, self.critic_share, self.amplifier_share]
        if any(s < 0 for s in shares) or sum(shares) > 0.9:
            raise ValueError("group shares must be >= 0 and sum to at most 0.9 (ordinary users fill the rest)")
        if min(self.core_fan_share, self.active_fan_share, self.critic_share, self.amplifier_share) <= 0:
            raise ValueError("core_fan_share, active_fan_share, critic_share and amplifier_share must be > 0")
        if not 0 < self.kol_share < 0.2 or self.min_kols < 15:
            raise ValueError("kol_share must be in (0, 0.2) and min_kols >= 15")
        if not 0 <= self.media_share_of_kols < 0.5:
            raise ValueError("media_share_of_kols must be in [0, 0.5)")
        if self.interactions_per_user < 3 or self.days <= 0 or not 0 <= self.burst_share <= 1:
            raise ValueError("interactions_per_user must be >= 3, days > 0, burst_share in [0, 1]")
        if self.core_fan_min_brand < 3 or self.critic_min_brand < 3 or self.circle_size < 3:
            raise ValueError("core_fan_min_brand and critic_min_brand must be >= 3, circle_size >= 3")
        if not 0 <= self.tone_noise <= 1:
            raise ValueError("tone_noise must be in [0, 1]")
        _start_epoch(self.start)

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


def _start_epoch(start: str) -> int:
    try:
        ts = pd.Timestamp(start)
    except (ValueError, TypeError) as exc:
        raise ValueError(f"start {start!r} is not a date: {exc}") from None
    if ts.tzinfo is None:
        ts = ts.tz_localize("UTC")
    return int(ts.tz_convert("UTC").timestamp())


@dataclass(frozen=True, eq=False)
class Population:
    """The planted users: one entry per user, in planting order (grouped by :data:`GROUPS`).

    ``stance`` and ``critic_attitude`` are latent attitudes in [-1, 1]; ``activity`` weights the free
    budget of interactions, ``attention`` weights a user as a target within its group; ``circle`` is
    the friend circle of an ordinary user (-1 otherwise). ``group_slices[g]`` is the index range of
    group ``g``.
    """

    user_ids: np.ndarray
    display_names: np.ndarray
    group: np.ndarray
    stance: np.ndarray
    critic_attitude: np.ndarray
    activity: np.ndarray
    attention: np.ndarray
    circle: np.ndarray
    followers: np.ndarray
    verified: np.ndarray
    brand_account: np.ndarray
    group_slices: Mapping[str, tuple[int, int]]

    @property
    def n(self) -> int:
        return len(self.user_ids)

    def members(self, *groups: str) -> np.ndarray:
        """Indices of the users in the given groups (in planting order)."""
        parts = [np.arange(*self.group_slices[g]) for g in groups]
        return np.concatenate(parts) if parts else np.empty(0, dtype=np.int64)


@dataclass(frozen=True, eq=False)
class RawInteractions:
    """Interactions as integer arrays (indices into a :class:`Population`) before text and time.

    ``kind`` indexes :data:`kolgraph.schema.KINDS`; ``topic`` indexes the text topics; ``tone`` is
    the true tone in [-1, 1]; ``burst`` is the timing profile (0 brand news, 1 the critic's feud).
    """

    src: np.ndarray
    dst: np.ndarray
    kind: np.ndarray
    tone: np.ndarray
    topic: np.ndarray
    burst: np.ndarray


@dataclass(frozen=True, eq=False)
class BrandEvent:
    """A generated event: interactions, users, planted truth, the brand, and how it was made."""

    interactions: pd.DataFrame
    users: pd.DataFrame
    truth: pd.DataFrame
    brand: BrandConfig
    params: EventParams
    n_users: int
    n_interactions: int
    seed: int
    with_sentiment: bool = False

    def summary(self) -> dict[str, Any]:
        """Counts per group and per planted role, and the number of rows (for status lines and reports)."""
        t = self.truth
        return {
            "users": int(len(self.users)),
            "interactions": int(len(self.interactions)),
            "groups": {g: int(c) for g, c in t["group"].value_counts().reindex(list(GROUPS), fill_value=0).items()},
            "roles": {tag: int(t[f"is_{tag}"].sum()) for tag in ROLE_TAGS},
            "seed": self.seed,
        }


@dataclass(frozen=True)
class SamplePaths:
    """Paths of the shipped sample event."""

    folder: Path
    interactions: Path
    users: Path
    truth: Path
    config: Path


# ---------------------------------------------------------------------------------------------
# Population
# ---------------------------------------------------------------------------------------------


def _group_sizes(n_users: int, p: EventParams) -> dict[str, int]:
    n_hub = max(p.min_kols, math.ceil(p.kol_share * n_users))
    n_brand = len(BRAND_ACCOUNTS)
    n_media = max(2, round(p.media_share_of_kols * n_hub))
    n_tech = n_hub - n_brand - 1 - n_media
    sizes = {
        "brand": n_brand, "critic_kol": 1, "media": n_media, "tech_kol": n_tech,
        "core_fan": round(p.core_fan_share * n_users), "active_fan": round(p.active_fan_share * n_users),
        "bridge": round(p.bridge_share * n_users), "tech_audience": round(p.tech_audience_share * n_users),
        "critic_follower": round(p.critic_follower_share * n_users), "critic": round(p.critic_share * n_users),
        "amplifier": round(p.amplifier_share * n_users),
    }
    sizes["ordinary"] = n_users - sum(sizes.values())
    return {g: sizes[g] for g in GROUPS}


def _zipf(n: int, ratio: float) -> np.ndarray:
    """Weights ``rank^-a`` with the smallest/largest ratio about ``ratio`` whatever ``n`` (heavy tail, bounded)."""
    if n <= 1:
        return np.ones(n)
    a = min(1.0, math.log(1 / ratio) / math.log(n))
    return np.arange(1, n + 1, dtype=float) ** -a


def _str_join(*parts: Any) -> np.ndarray:
    """Element-wise concatenation of string arrays / scalars (vectorised, via Arrow)."""
    arrays = [p if isinstance(p, (pa.Array, pa.ChunkedArray)) else pa.scalar(p) if isinstance(p, str) else pa.array(p)
              for p in parts]
    return np.asarray(pc.binary_join_element_wise(*arrays, "").to_numpy(zero_copy_only=False), dtype=object)


def _take(pool: tuple[str, ...], idx: np.ndarray) -> pa.Array:
    return pc.take(pa.array(pool, type=pa.string()), pa.array(idx))


def plant_population(n_users: int, params: EventParams, rng: np.random.Generator) -> Population:
    """Draw the users: groups, latent attitudes, activity and attention weights, ids and profiles."""
    sizes = _group_sizes(n_users, params)
    bad = [g for g, s in sizes.items() if s < (2 if g not in ("critic_kol",) else 1)]
    if sizes["tech_kol"] < 3 or sizes["ordinary"] < max(10, 0.1 * n_users) or bad:
        raise ConfigError(f"n_users={n_users} is too small for the group shares: sizes {sizes}")
    slices, start = {}, 0
    for g in GROUPS:
        slices[g] = (start, start + sizes[g])
        start += sizes[g]
    n = n_users
    group = np.repeat(np.arange(len(GROUPS), dtype=np.int8), [sizes[g] for g in GROUPS])

    stance = np.empty(n)
    critic_att = np.empty(n)
    activity = np.zeros(n)
    attention = np.ones(n)
    for g in GROUPS:
        a, b = slices[g]
        (s_lo, s_hi), (c_lo, c_hi) = _ATTITUDES[g]
        stance[a:b] = rng.uniform(s_lo, s_hi, b - a)
        critic_att[a:b] = rng.uniform(c_lo, c_hi, b - a)
        mult, sigma = _ACTIVITY[g]
        activity[a:b] = mult * np.exp(rng.normal(-sigma**2 / 2, sigma, b - a)) if mult > 0 else 0.0
        if g in _ATTENTION_SIGMA:  # the more active get answered more (reciprocity)
            sd = _ATTENTION_SIGMA[g]
            noise = np.exp(rng.normal(0.0, sd, b - a)) if sd > 0 else 1.0
            att = noise * (activity[a:b] / mult) ** 0.75 if mult > 0 else noise * np.ones(b - a)
            med = np.median(att)
            attention[a:b] = np.clip(att, med / 4, med * 4)  # popular, but never a rival to the hubs
    attention[slice(*slices["brand"])] = [acc[3] for acc in BRAND_ACCOUNTS]
    attention[slice(*slices["tech_kol"])] = _zipf(sizes["tech_kol"], ratio=1 / 6)
    attention[slice(*slices["media"])] = _zipf(sizes["media"], ratio=0.3)
    critic_att[slices["critic_kol"][0]] = np.nan

    circle = np.full(n, -1, dtype=np.int64)
    o0, o1 = slices["ordinary"]
    n_ord = o1 - o0
    n_circles = max(1, n_ord // params.circle_size)
    circle[o0:o1] = np.arange(n_ord) * n_circles // n_ord

    # ids: readable handles for the brand, the critic KOL and named media; "u" + 8 digits otherwise
    numbers = 10_000_000 + np.cumsum(rng.integers(1, max(2, 80_000_000 // n), n))  # "u" + 8 digits, unique
    numbers = rng.permutation(numbers)
    ids = np.asarray(_str_join("u", pa.array(numbers).cast(pa.string())), dtype=object)
    names = np.empty(n, dtype=object)
    b0, b1 = slices["brand"]
    ids[b0:b1] = [acc[0] for acc in BRAND_ACCOUNTS]
    names[b0:b1] = [acc[1] for acc in BRAND_ACCOUNTS]
    c0 = slices["critic_kol"][0]
    ids[c0], names[c0] = CRITIC_KOL[0], CRITIC_KOL[1]
    m0, m1 = slices["media"]
    n_named = min(m1 - m0, len(MEDIA_NAMES))
    ids[m0:m0 + n_named] = [m[0] for m in MEDIA_NAMES[:n_named]]
    names[m0:m0 + n_named] = [m[1] for m in MEDIA_NAMES[:n_named]]
    if m1 - m0 > n_named:
        extra = np.arange(m1 - m0 - n_named)
        names[m0 + n_named:m1] = _str_join(_take(tuple(m[1] for m in MEDIA_NAMES), extra % len(MEDIA_NAMES)),
                                           pa.array(extra // len(MEDIA_NAMES) + 2).cast(pa.string()))
    t0, t1 = slices["tech_kol"]
    k = np.arange(t1 - t0)
    combos = len(_KOL_PREFIX) * len(_KOL_PERSONA)
    perm = rng.permutation(combos)[k % combos]
    suffix = pc.if_else(pa.array(k < combos), pa.scalar(""), pa.array(k // combos + 1).cast(pa.string()))
    names[t0:t1] = _str_join(_take(_KOL_PREFIX, perm // len(_KOL_PERSONA)), _take(_KOL_PERSONA, perm % len(_KOL_PERSONA)),
                             suffix)
    rest = np.arange(t1, n)  # hubs come first in planting order
    nr = len(rest)
    digits = pa.array(rng.integers(1, 10_000, nr)).cast(pa.string())
    sep = _take(("", "_"), rng.integers(0, 2, nr))
    tail = pc.if_else(pa.array(rng.random(nr) < 0.5), pa.scalar(""), pc.binary_join_element_wise(sep, digits, ""))
    is_fan = (group[rest] == _G["core_fan"]) & (rng.random(nr) < 0.4)
    prefix = pc.if_else(pa.array(is_fan), pa.scalar(_FAN_PREFIX), pa.scalar(""))
    names[rest] = _str_join(prefix, _take(_NICK_ADJ, rng.integers(0, len(_NICK_ADJ), nr)),
                            _take(_NICK_NOUN, rng.integers(0, len(_NICK_NOUN), nr)), tail)

    followers = np.zeros(n, dtype=np.int64)
    followers[b0:b1] = [acc[2] for acc in BRAND_ACCOUNTS]
    followers[c0] = CRITIC_KOL[2]
    for g, (median, sigma) in _FOLLOWERS.items():
        a, b = slices[g]
        followers[a:b] = np.round(median * np.exp(rng.normal(0.0, sigma, b - a)))
    followers[t0:t1] = np.sort(followers[t0:t1])[::-1]  # the most engaged tech KOLs have the most followers
    cap = BRAND_ACCOUNTS[0][2] - 1
    followers = np.clip(followers, 0, cap)
    followers[b0] = BRAND_ACCOUNTS[0][2]
    verified = rng.random(n) < 0.01
    verified[:t1] = True  # brand, critic KOL, media, tech KOLs

    brand_account = np.full(n, "", dtype=object)
    brand_account[b0:b1] = [acc[4] for acc in BRAND_ACCOUNTS]
    return Population(
        user_ids=ids, display_names=names, group=group, stance=stance, critic_attitude=critic_att,
        activity=activity, attention=attention, circle=circle, followers=followers, verified=verified,
        brand_account=brand_account, group_slices=slices,
    )


# ---------------------------------------------------------------------------------------------
# Interactions
# ---------------------------------------------------------------------------------------------


class _Picker:
    """Draws targets from a pool of users with attention weights, never the source itself."""

    def __init__(self, pop: Population, groups: tuple[str, ...], *, uniform: bool = False) -> None:
        self.members = pop.members(*groups)
        w = np.ones(len(self.members)) if uniform else pop.attention[self.members]
        self.cdf = np.cumsum(w) / w.sum()

    def pick(self, src: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        pos = np.searchsorted(self.cdf, rng.random(len(src)), side="right")
        pos = np.minimum(pos, len(self.members) - 1)
        clash = self.members[pos] == src
        pos[clash] = (pos[clash] + 1) % len(self.members)
        return self.members[pos]


def _pick_in_circle(pop: Population, src: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    o0, o1 = pop.group_slices["ordinary"]
    circ = pop.circle[o0:o1]
    starts = np.searchsorted(circ, np.arange(circ.max() + 1)) + o0
    sizes = np.bincount(circ)
    c = pop.circle[src]
    off = (rng.random(len(src)) * sizes[c]).astype(np.int64)
    dst = starts[c] + off
    clash = dst == src
    dst[clash] = starts[c[clash]] + (off[clash] + 1) % sizes[c[clash]]
    return dst


def _fixed_counts(pop: Population, params: EventParams, per_user: float, n_interactions: int,
                  rng: np.random.Generator) -> np.ndarray:
    """Brand-directed interactions per user (the planted support that makes fans and critics findable)."""
    counts = np.zeros(pop.n, dtype=np.int64)

    def fill(g: str, values: np.ndarray) -> None:
        a, b = pop.group_slices[g]
        counts[a:b] = values

    size = {g: b - a for g, (a, b) in pop.group_slices.items()}
    fill("critic_kol", 6 + rng.poisson(max(1.0, 0.0002 * n_interactions), size["critic_kol"]))
    fill("media", 3 + rng.poisson(0.4 * per_user, size["media"]))
    fill("tech_kol", 1 + rng.integers(0, 2, size["tech_kol"]))
    fill("core_fan", params.core_fan_min_brand + rng.poisson(0.3 * per_user, size["core_fan"]))
    fill("active_fan", 1 + rng.integers(0, 2, size["active_fan"]))
    fill("bridge", 1 + rng.integers(0, 2, size["bridge"]))
    fill("tech_audience", rng.binomial(2, 0.25, size["tech_audience"]))
    fill("critic_follower", rng.binomial(2, 0.4, size["critic_follower"]))
    fill("critic", params.critic_min_brand + rng.poisson(0.2 * per_user, size["critic"]))
    fill("amplifier", np.round(per_user * rng.uniform(2.0, 4.0, size["amplifier"])).astype(np.int64))
    fill("ordinary", rng.binomial(1, 0.25, size["ordinary"]))
    return counts


def draw_interactions(pop: Population, params: EventParams, n_interactions: int,
                      rng: np.random.Generator) -> RawInteractions:
    """Draw exactly ``n_interactions`` (src, dst, kind, tone, topic) rows from a population.

    Fixed channels come first (brand accounts reposting each other, customer care, the critic KOL's
    contempt for fans and warmth to his circle, every user's planted brand-directed interactions);
    the rest is split over users by activity weight (at least one each) and over each group's
    channels by their probabilities.
    """
    per_user = n_interactions / pop.n
    parts: list[tuple[np.ndarray, ...]] = []

    def add(src: np.ndarray, dst: np.ndarray, kinds: tuple[float, float, float], source: str, mean: float,
            topic: str) -> None:
        m = len(src)
        if m == 0:
            return
        kind = rng.choice(3, size=m, p=np.asarray(kinds) / sum(kinds)).astype(np.int8)
        if source == "stance":
            mu = pop.stance[src]
        elif source == "critic":
            mu = pop.critic_attitude[src]
        else:
            mu = np.full(m, mean)
        tone = np.clip(mu + rng.normal(0.0, params.tone_noise, m), -1.0, 1.0)
        parts.append((src, dst, kind, tone, np.full(m, _T[topic], dtype=np.int16)))

    # 1. brand accounts repost each other (the account matrix acting together)
    b0, b1 = pop.group_slices["brand"]
    per_brand = max(10, round(0.0015 * n_interactions))
    src = np.repeat(np.arange(b0, b1), per_brand)
    add(src, _Picker(pop, ("brand",)).pick(src, rng), (0.85, 0.1, 0.05), "const", 0.75, "promo")
    # 2. customer care replies from service and store accounts
    care = np.array([b0 + i for i, acc in enumerate(BRAND_ACCOUNTS) if acc[4] in _CARE_ROLES])
    n_care = max(5, round(0.002 * n_interactions))
    src = care[rng.integers(0, len(care), n_care)]
    add(src, _Picker(pop, _POOLS["care"], uniform=True).pick(src, rng), (0.0, 0.9, 0.1), "const", 0.6, "care")
    # 3. the critic KOL: contempt for fans, warmth for his own circle
    ck = pop.group_slices["critic_kol"][0]
    src = np.full(max(10, round(0.004 * n_interactions)), ck)
    add(src, _Picker(pop, _POOLS["fans"], uniform=True).pick(src, rng), (0.0, 0.5, 0.5), "const", -0.8, "critic_talk")
    src = np.full(max(3, round(0.001 * n_interactions)), ck)
    add(src, _Picker(pop, _POOLS["critic_circle"], uniform=True).pick(src, rng), (0.3, 0.6, 0.1), "const", 0.5,
        "critic_chat")
    # 4. planted brand-directed interactions
    fixed = _fixed_counts(pop, params, per_user, n_interactions, rng)
    brand_picker = _Picker(pop, ("brand",))
    for g, (topic, kinds, source, mean) in _BRAND_CHANNEL.items():
        a, b = pop.group_slices[g]
        src = np.repeat(np.arange(a, b), fixed[a:b])
        add(src, brand_picker.pick(src, rng), kinds, source, mean, topic)

    # 5. the free budget
    used = sum(len(p[0]) for p in parts)
    active = pop.activity > 0
    free = n_interactions - used - int(active.sum())
    if free < 0:
        raise ConfigError(f"n_interactions={n_interactions} is too small for n_users={pop.n}: the planted "
                          f"structure needs at least {used + int(active.sum())}")
    counts = np.zeros(pop.n, dtype=np.int64)
    counts[active] = 1 + rng.multinomial(free, pop.activity[active] / pop.activity[active].sum())
    pickers: dict[tuple[str, bool], _Picker] = {}
    for g, channels in _FREE_CHANNELS.items():
        a, b = pop.group_slices[g]
        src_all = np.repeat(np.arange(a, b), counts[a:b])
        probs = np.array([c[1] for c in channels])
        which = rng.choice(len(channels), size=len(src_all), p=probs / probs.sum())
        for ci, (pool, _, kinds, source, mean, topic) in enumerate(channels):
            src = src_all[which == ci]
            if pool == "circle":
                dst = _pick_in_circle(pop, src, rng)
            else:
                # hubs answer the crowd evenly, so no follower inherits a hub's rank
                uniform = g in _HUB_GROUPS and pool not in _HUB_GROUPS
                if (pool, uniform) not in pickers:
                    pickers[pool, uniform] = _Picker(pop, _POOLS[pool], uniform=uniform)
                dst = pickers[pool, uniform].pick(src, rng)
            add(src, dst, kinds, source, mean, topic)

    cols = [np.concatenate([p[i] for p in parts]) for i in range(5)]
    src, dst, kind, tone, topic = cols
    feud = np.isin(topic, [_T[t] for t in ("hostile", "critic_talk", "support_critic", "mock_fans", "critic_chat",
                                           "debate")])
    return RawInteractions(src=src, dst=dst, kind=kind, tone=tone, topic=topic, burst=feud.astype(np.int8))


# ---------------------------------------------------------------------------------------------
# Rendering: text, timestamps, ids
# ---------------------------------------------------------------------------------------------


def _polarity(b: int) -> str:
    return "neg" if b < 2 else "neu" if b == 2 else "pos"


def _topic_cells() -> list[tuple[int, int, tuple[str, ...], dict[str, tuple[str, ...]]]]:
    """(topic code, bin, templates, slot pools) for every non-empty (topic, tone bin) cell."""
    cells = []
    for topic, (tags, casual, bins) in _TOPICS.items():
        for b, templates in enumerate(bins):
            if not templates:
                continue
            pol = _polarity(b)
            pools = {s: _SLOT_POOLS[s] for s in ("kw", "p", "tp", "ep", "en", "e0")}
            pools.update(tag=_TAGS[tags], x=_TAILS[pol], pre=_OPENERS[pol] if casual else ("",))
            if casual:
                templates = tuple("{pre}" + t if t else t for t in templates)
            cells.append((_T[topic], b, templates, pools))
    return cells


_CELLS = _topic_cells()
_RADIX = (16,) + tuple(max(len(c[3][s]) for c in _CELLS) for s in _SLOTS)
assert max(len(c[2]) for c in _CELLS) <= _RADIX[0]


def _render_text(topic: np.ndarray, tone: np.ndarray, rng: np.random.Generator,
                 keywords: tuple[str, ...]) -> tuple[pa.Array, np.ndarray, np.ndarray, np.ndarray]:
    """Distinct texts, each row's text code, the tone clipped into its text's bin, and per text a names-keyword flag.

    Each row draws a template of its (topic, tone bin) cell and a fragment for each slot; only the
    distinct combinations are formatted (a loop bounded by the pools' sizes, not by the rows). A
    topic without templates in a bin falls back to its nearest bin, and the tone is clipped into
    that bin, so text and true tone always agree.
    """
    m = len(topic)
    tbin = np.searchsorted(_BIN_EDGES, tone, side="right").astype(np.int8)
    topic = topic.copy()
    debate = topic == _T["debate"]
    if debate.any():
        mapped = np.array([_T[t] for t in _DEBATE], dtype=topic.dtype)
        topic[debate] = mapped[tbin[debate]]
    cell_index = {(t, b): i for i, (t, b, _, _) in enumerate(_CELLS)}
    lookup = np.full((len(_TOPIC_NAMES), 5), -1, dtype=np.int64)
    used_bin = np.zeros((len(_TOPIC_NAMES), 5), dtype=np.int8)
    for t in range(len(_TOPIC_NAMES)):
        for b in range(5):
            for d in (0, 1, -1, 2, -2, 3, -3, 4, -4):
                bb = b + d if b < 2 else b - d  # look toward neutral first
                if 0 <= bb < 5 and (t, bb) in cell_index:
                    lookup[t, b], used_bin[t, b] = cell_index[(t, bb)], bb
                    break
    cell = lookup[topic, tbin]
    new_bin = used_bin[topic, tbin]
    moved = new_bin != tbin
    tone = tone.copy()
    lo = np.array([r[0] for r in _BIN_RANGES])
    hi = np.array([r[1] for r in _BIN_RANGES])
    tone[moved] = np.clip(tone[moved], lo[new_bin[moved]], hi[new_bin[moved]])

    full = int(np.prod(_RADIX, dtype=np.int64))
    key = np.zeros(m, dtype=np.int64)
    order = np.argsort(cell.astype(np.int16), kind="stable")  # radix sort on small ints
    bounds = np.searchsorted(cell[order], np.arange(len(_CELLS) + 1))
    for ci, (_, _, templates, pools) in enumerate(_CELLS):
        rows = order[bounds[ci]:bounds[ci + 1]]
        r = len(rows)
        if r == 0:
            continue
        tpl = rng.integers(0, len(templates), r)
        k = tpl.astype(np.int64)
        for si, slot in enumerate(_SLOTS):
            uses = np.array(["{" + slot + "}" in t for t in templates])
            idx = rng.integers(0, len(pools[slot]), r) * uses[tpl]
            k = k * _RADIX[si + 1] + idx
        key[rows] = ci * full + k
    uniq, inverse = np.unique(key, return_inverse=True)
    texts = []
    for u in uniq.tolist():  # bounded by the number of distinct fragment combinations
        ci, rem = divmod(u, full)
        _, _, templates, pools = _CELLS[ci]
        values = {}
        for si in range(len(_SLOTS) - 1, -1, -1):
            rem, d = divmod(rem, _RADIX[si + 1])
            values[_SLOTS[si]] = pools[_SLOTS[si]][d]
        texts.append(templates[rem].format(**values).strip())
    lowered = [k.lower() for k in keywords]
    names_kw = np.array([any(k in t.lower() for k in lowered) for t in texts], dtype=bool)
    return pa.array(texts, type=pa.string()), inverse.astype(np.int32), tone, names_kw


_DIURNAL = np.array([3, 2, 1, 0.6, 0.4, 0.4, 0.8, 2, 3.5, 4, 4.5, 5, 6.5, 6, 5, 4.5, 4.5, 5, 5.5, 6.5, 7.5, 8, 7, 5])
_BURSTS = ((2.5, 0.45), (9.8, 0.15), (20.3, 0.40))  # (day, share) for brand news; the feud peaks on day 9.8


def _timestamps(raw: RawInteractions, params: EventParams, rng: np.random.Generator) -> np.ndarray:
    """Epoch seconds over the window: a diurnal background (Beijing hours) plus three bursts."""
    m = len(raw.src)
    t0 = _start_epoch(params.start)
    span = params.days * 86400.0
    day = np.floor(rng.random(m) * params.days)
    hour = rng.choice(24, size=m, p=_DIURNAL / _DIURNAL.sum())
    t = day * 86400 + (hour - 8) * 3600 + rng.random(m) * 3600  # Beijing time is UTC+8
    t = np.mod(t, span)
    in_burst = rng.random(m) < params.burst_share
    scale = params.days / 28.0
    days = np.array([d for d, _ in _BURSTS]) * scale
    share = np.array([s for _, s in _BURSTS])
    which = rng.choice(len(_BURSTS), size=m, p=share)
    feud = raw.burst == 1
    which[feud] = np.where(rng.random(int(feud.sum())) < 0.8, 1, which[feud])
    tb = days[which] * 86400 + rng.exponential(0.8 * scale * 86400, m)  # decays over about a day
    t = np.where(in_burst & (tb < span), tb, t)
    return (t0 + np.floor(t)).astype(np.int64)


def render_interactions(raw: RawInteractions, pop: Population, params: EventParams, rng: np.random.Generator,
                        *, brand: BrandConfig, with_sentiment: bool = False) -> tuple[pd.DataFrame, np.ndarray, np.ndarray, np.ndarray]:
    """The interactions frame (sorted by time), plus per-row source index, tone and brand-directed flag."""
    texts, text_code, tone, names_kw = _render_text(raw.topic, raw.tone, rng, brand.keywords)
    ts = _timestamps(raw, params, rng)
    m = len(ts)
    # sort by time; ties broken by row number so that any sort algorithm gives the same order
    order = np.argsort(ts * np.int64(m) + np.arange(m, dtype=np.int64))
    ts = ts[order]
    src_i, dst_i, text_code = raw.src[order], raw.dst[order], text_code[order]
    ids = pa.array(pop.user_ids.astype(object), type=pa.string())
    kind_arr = pa.array(list(KINDS), type=pa.string())
    # ISO 8601 strings for the distinct seconds only ("YYYY-MM-DD hh:mm:ss" by Arrow's cast, then "T" and "Z")
    first = np.ones(m, dtype=bool)
    first[1:] = ts[1:] != ts[:-1]
    seconds = ts[first]
    stamp = pa.array(seconds.astype("datetime64[s]")).cast(pa.string())
    stamp = pc.binary_join_element_wise(pc.utf8_replace_slice(stamp, 10, 11, "T"), "Z", "")
    stamp = pc.take(stamp, pa.array(np.cumsum(first, dtype=np.int64) - 1))
    post_id = 5_260_000_000_000_000 + np.cumsum(rng.integers(1, 2_000, m, dtype=np.int64))
    frame = pd.DataFrame({
        "src": pd.Series(pc.take(ids, pa.array(src_i)), dtype="str"),
        "dst": pd.Series(pc.take(ids, pa.array(dst_i)), dtype="str"),
        "kind": pd.Series(pc.take(kind_arr, pa.array(raw.kind[order])), dtype="str"),
        "timestamp": pd.Series(stamp, dtype="str"),
        "text": pd.Series(pc.take(texts, pa.array(text_code)), dtype="str"),
        "post_id": post_id,
    })
    tone = tone[order]
    if with_sentiment:
        frame["sentiment"] = np.round(tone, 3)
    b0, b1 = pop.group_slices["brand"]
    directed = ((dst_i >= b0) & (dst_i < b1)) | names_kw[text_code]
    return frame, src_i, tone, directed


# ---------------------------------------------------------------------------------------------
# Public entry points
# ---------------------------------------------------------------------------------------------


def _truth_frame(pop: Population, src: np.ndarray, tone: np.ndarray, directed: np.ndarray) -> pd.DataFrame:
    g = pop.group

    def in_g(*names: str) -> np.ndarray:
        return np.isin(g, [_G[x] for x in names])

    flags = {
        "brand_account": in_g("brand"),
        "kol": in_g("brand", "critic_kol", "media", "tech_kol"),
        "core_fan": in_g("core_fan"),
        "critic": in_g("critic_kol", "critic"),
        "critic_kol": in_g("critic_kol"),
        "bridge": in_g("tech_kol", "media", "bridge"),
        "amplifier": in_g("amplifier"),
    }
    support = np.bincount(src[directed], minlength=pop.n)
    tone_sum = np.bincount(src[directed], weights=tone[directed], minlength=pop.n)
    group_names = np.array(GROUPS, dtype=object)[g]
    community = np.array([_COMMUNITY[x] for x in GROUPS], dtype=object)[g]
    ordinary = pop.circle >= 0
    community[ordinary] = _str_join("general-", pa.array(pop.circle[ordinary]).cast(pa.string()))
    code = sum(flags[tag].astype(np.int64) << i for i, tag in enumerate(ROLE_TAGS))
    uniq, inv = np.unique(code, return_inverse=True)
    labels = np.array(["|".join(t for i, t in enumerate(ROLE_TAGS) if c >> i & 1) for c in uniq], dtype=object)
    roles = labels[inv]
    frame = {
        "user_id": pop.user_ids, "group": group_names, "brand_account": pop.brand_account,
        "community": community, "roles": roles,
    }
    frame.update({f"is_{tag}": flags[tag] for tag in ROLE_TAGS})
    frame.update({
        "stance": np.round(pop.stance, 4), "critic_attitude": np.round(pop.critic_attitude, 4),
        "brand_support": support.astype(np.int64), "realized_stance": np.round(tone_sum / (support + 2.0), 4),
    })
    out = pd.DataFrame(frame)
    for col in ("user_id", "group", "brand_account", "community", "roles"):
        out[col] = out[col].astype("str")
    return out


def generate_event(n_users: int = 3000, n_interactions: int | None = None, *, seed: int = 0,
                   with_sentiment: bool = False, quiet: bool = True, **params: Any) -> BrandEvent:
    """Generate a fictional brand event with planted roles (see the module docstring).

    ``n_interactions`` defaults to ``interactions_per_user`` (10) per user. ``params`` are fields of
    :class:`EventParams`; unknown names raise :class:`ConfigError`. ``with_sentiment=True`` adds the
    true tone in [-1, 1] as a ``sentiment`` column. Same arguments and seed, same frames.
    """
    p = params_from_mapping(EventParams, params, "generate")
    if int(n_users) != n_users or n_users < 300:
        raise ConfigError(f"n_users must be an integer >= 300, got {n_users}")
    n_users = int(n_users)
    if n_interactions is None:
        n_interactions = round(p.interactions_per_user * n_users)
    if int(n_interactions) != n_interactions or n_interactions < 3 * n_users:
        raise ConfigError(f"n_interactions must be an integer >= 3 * n_users ({3 * n_users}), got {n_interactions}")
    n_interactions = int(n_interactions)
    if int(seed) != seed or seed < 0:
        raise ConfigError(f"seed must be a non-negative integer, got {seed}")
    seed = int(seed)
    brand = BrandConfig(accounts=tuple(acc[0] for acc in BRAND_ACCOUNTS), keywords=BRAND_KEYWORDS, name=BRAND_NAME)
    rng = np.random.default_rng(seed)
    bar = progress(total=4, quiet=quiet, desc="generate")
    try:
        pop = plant_population(n_users, p, rng)
        bar.update()
        raw = draw_interactions(pop, p, n_interactions, rng)
        bar.update()
        frame, src, tone, directed = render_interactions(raw, pop, p, rng, brand=brand, with_sentiment=with_sentiment)
        bar.update()
        truth = _truth_frame(pop, src, tone, directed)
        users = pd.DataFrame({
            "user_id": pd.array(pop.user_ids, dtype="str"),
            "display_name": pd.array(pop.display_names, dtype="str"),
            "followers": pop.followers,
            "verified": pop.verified,
        })
        shuffle = rng.permutation(n_users)  # row order must not reveal the groups
        users = users.iloc[shuffle].reset_index(drop=True)
        truth = truth.iloc[shuffle].reset_index(drop=True)
        bar.update()
    finally:
        bar.close()
    return BrandEvent(interactions=frame, users=users, truth=truth, brand=brand, params=p, n_users=n_users,
                      n_interactions=n_interactions, seed=seed, with_sentiment=with_sentiment)


def _toml_string(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)


def _brand_toml(event: BrandEvent) -> str:
    b = event.brand
    lines = [
        "# Brand configuration of a generated kolgraph event (fictional brand).",
        f"# Generated with seed {event.seed}: {event.n_users} users, {event.n_interactions} interactions.",
        "",
        "[brand]",
        f"name = {_toml_string(b.name)}",
        "accounts = [" + ", ".join(_toml_string(a) for a in b.accounts) + "]",
        "keywords = [" + ", ".join(_toml_string(k) for k in b.keywords) + "]",
        "",
    ]
    return "\n".join(lines)


def write_event(event: BrandEvent, out_dir: str | Path, *, format: str = "csv", quiet: bool = False) -> dict[str, Path]:
    """Write interactions.(csv|parquet), users.csv, truth.csv, kolgraph.toml and event.json, each atomically.

    Returns the written paths by name (interactions, users, truth, config, manifest).
    """
    if format not in ("csv", "parquet"):
        raise ConfigError(f"format must be 'csv' or 'parquet', got {format!r}")
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise ConfigError(f"{out}: exists and is not a folder")
    paths = {
        "interactions": out / f"interactions.{format}", "users": out / "users.csv", "truth": out / "truth.csv",
        "config": out / "kolgraph.toml", "manifest": out / "event.json",
    }
    manifest = {
        "generator": "kolgraph.datasets.generate_event", "n_users": event.n_users,
        "n_interactions": event.n_interactions, "seed": event.seed, "with_sentiment": event.with_sentiment,
        "params": event.params.to_dict(), "brand": event.brand.to_dict(), "summary": event.summary(),
        "timestamp_format": "ISO 8601 UTC",
    }
    steps = [
        ("interactions", lambda: write_table(event.interactions, paths["interactions"])),
        ("users", lambda: write_table(event.users, paths["users"])),
        ("truth", lambda: write_table(event.truth, paths["truth"])),
        ("config", lambda: write_text(paths["config"], _brand_toml(event))),
        ("manifest", lambda: write_json(paths["manifest"], manifest)),
    ]
    bar = progress(steps, quiet=quiet, desc="write", unit="file")
    for name, step in bar:
        bar.set_postfix_str(name)
        step()
    return paths


def _sample_folder() -> Path:
    checkout = Path(__file__).resolve().parents[1] / "data" / "sample"
    if (checkout / "interactions.csv").is_file():
        return checkout
    try:
        return Path(str(importlib.resources.files("kolgraph.sample")))
    except (ModuleNotFoundError, TypeError):
        raise KolgraphError("the sample event is not installed: no data/sample folder beside the package and no "
                            "kolgraph.sample package; regenerate it with: " + SAMPLE_COMMAND) from None


def load_sample() -> SamplePaths:
    """Paths of the shipped sample event (``data/sample`` in a checkout, ``kolgraph.sample`` when installed)."""
    folder = _sample_folder()
    paths = SamplePaths(folder=folder, interactions=folder / "interactions.csv", users=folder / "users.csv",
                        truth=folder / "truth.csv", config=folder / "kolgraph.toml")
    missing = [p.name for p in (paths.interactions, paths.users, paths.truth, paths.config) if not p.is_file()]
    if missing:
        raise KolgraphError(f"{folder}: sample files missing ({', '.join(missing)}); regenerate with: {SAMPLE_COMMAND}")
    return paths
