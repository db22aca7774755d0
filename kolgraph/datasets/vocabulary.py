"""The fictional world of the event generator: groups, brand accounts, names, text pools, channels.

Every name is invented. Tables here are data, read by :mod:`.population`, :mod:`.interactions`
and :mod:`.render`.
"""

from __future__ import annotations

import numpy as np

__all__ = ["ACTIVITY", "ATTENTION_SIGMA", "ATTITUDES", "BIN_EDGES", "BIN_RANGES", "BRAND_ACCOUNTS", "BRAND_CHANNEL", "BRAND_KEYWORDS", "BRAND_NAME", "CARE_ROLES", "COMMUNITY", "CRITIC_KOL", "DEBATE", "FAN_PREFIX", "FOLLOWERS", "FREE_CHANNELS", "GROUPS", "GROUP_CODE", "HUB_GROUPS", "KOL_PERSONA", "KOL_PREFIX", "MEDIA_NAMES", "NICK_ADJ", "NICK_NOUN", "OPENERS", "POOLS", "ROLE_TAGS", "SLOTS", "SLOT_POOLS", "TAGS", "TAILS", "TOPICS", "TOPIC_CODE", "TOPIC_NAMES"]

#: Generating groups, in the order users are planted (the codes of :attr:`Population.group`).
GROUPS: tuple[str, ...] = (
    "brand", "critic_kol", "media", "tech_kol", "core_fan", "active_fan", "bridge",
    "tech_audience", "critic_follower", "critic", "amplifier", "ordinary",
)
GROUP_CODE = {name: i for i, name in enumerate(GROUPS)}
HUB_GROUPS = ("brand", "critic_kol", "media", "tech_kol")

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
KOL_PREFIX = ("数码", "科技", "极客", "玩机", "硬件", "评测", "电子", "测评", "影像", "车评")
KOL_PERSONA = ("老张", "阿杰", "小北", "大宇", "浩哥", "老K", "小鱼", "Mike", "阿飞", "老炮",
                "小林", "一哥", "Leo", "胖虎", "阿星", "木木", "老唐", "Kevin")
NICK_ADJ = ("快乐的", "爱吃", "一只", "不会飞的", "安静的", "努力的", "佛系", "熬夜的", "爱喝奶茶的",
             "迷路的", "认真的", "柠檬味的", "路过的", "今天也要", "温柔的", "暴躁的")
NICK_NOUN = ("小熊", "咸鱼", "猫咪", "星星", "橘子", "土豆", "小白", "打工人", "少年", "兔子",
              "胖丁", "月亮", "饼干", "鲸鱼", "阿狸", "程序员")
FAN_PREFIX = "柚粉·"

#: Brand account roles that answer users (customer care).
CARE_ROLES = ("service", "store")

# ---------------------------------------------------------------------------------------------
# Text pools. Slots: {kw} brand keyword, {p} product, {tp} tech topic, {ep}/{en}/{e0} positive /
# negative / neutral emoji, {tag} the topic's hashtags, {x} a tail matching the tone's polarity.
# Tone bins: 0 strong negative, 1 negative, 2 neutral, 3 positive, 4 strong positive.
# ---------------------------------------------------------------------------------------------

BIN_EDGES = np.array([-0.55, -0.15, 0.15, 0.55])
BIN_RANGES = ((-1.0, -0.55), (-0.55, -0.15), (-0.15, 0.15), (0.15, 0.55), (0.55, 1.0))

SLOTS = ("kw", "p", "tp", "ep", "en", "e0", "tag", "x", "pre")
SLOT_POOLS: dict[str, tuple[str, ...]] = {
    "kw": ("岚柚", "岚柚", "岚柚", "Lanyou"),
    "p": ("晴空手机", "晴空Pro", "远山SUV", "远山轿跑", "暖居空调", "轻羽手环", "澄澈耳机",
          "青柚平板", "智家音箱", "扫地机器人"),
    "tp": ("芯片", "影像", "续航", "快充", "屏幕", "系统更新", "散热", "信号", "智驾", "折叠屏"),
    "ep": ("[赞]", "[心]", "[哈哈]", "[鼓掌]", "[爱你]", "[good]", "[给力]", "[太开心]", "[嘻嘻]", "[doge]", ""),
    "en": ("[怒]", "[怒]", "[微笑]", "[怒骂]", "[哼]", "[吐]", "[失望]", "[黑线]", "[白眼]"),
    "e0": ("", "", "[思考]", "[费解]", "[吃瓜]"),
}
# tails and casual openers by the tone's polarity
TAILS = {
    "neg": ("", "。", "。。。", "？", "！", " 呵呵", " 无语"),
    "neu": ("", "。", "？", " 蹲一个", " mark"),
    "pos": ("", "！", "！！", "～", "哈哈哈", " 冲冲冲", " 爱了"),
}
OPENERS = {
    "neg": ("", "", "", "说实话，", "唉，", "呵呵，", "服了，"),
    "neu": ("", "", "", "话说，", "路过，"),
    "pos": ("", "", "", "讲真，", "哇，", "啊啊啊", "必须说，"),
}
TAGS = {
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
TOPICS: dict[str, tuple[str, bool, tuple[tuple[str, ...], ...]]] = {
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
DEBATE = ("hostile", "hostile", "support_critic", "support_critic", "support_critic")
TOPIC_NAMES = tuple(TOPICS) + ("debate",)
TOPIC_CODE = {name: i for i, name in enumerate(TOPIC_NAMES)}

# ---------------------------------------------------------------------------------------------
# Channels: who acts on whom, how, with which tone and text topic
# ---------------------------------------------------------------------------------------------

#: Target pools: a name -> groups drawn from (with their attention weights).
POOLS: dict[str, tuple[str, ...]] = {
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
FREE_CHANNELS: dict[str, tuple[tuple[str, float, tuple[float, float, float], str, float, str], ...]] = {
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
BRAND_CHANNEL: dict[str, tuple[str, tuple[float, float, float], str, float]] = {
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
ACTIVITY: dict[str, tuple[float, float]] = {
    "brand": (0.0, 0.0), "critic_kol": (0.0, 0.0), "amplifier": (0.0, 0.0),
    "media": (2.0, 0.3), "tech_kol": (2.0, 0.5), "core_fan": (1.5, 0.6), "active_fan": (1.0, 0.7),
    "bridge": (1.5, 0.5), "tech_audience": (0.9, 0.9), "critic_follower": (1.0, 0.8), "critic": (2.0, 0.5),
    "ordinary": (0.6, 1.1),
}
# Attention (as a target within its group): lognormal sigma; hubs use explicit / Zipf weights.
ATTENTION_SIGMA: dict[str, float] = {
    "core_fan": 0.5, "active_fan": 0.6, "bridge": 0.5, "tech_audience": 0.6, "critic_follower": 0.6,
    "critic": 0.5, "ordinary": 0.8, "amplifier": 0.0,
}
# Latent attitudes per group: (brand stance low, high), (attitude to the critic low, high).
ATTITUDES: dict[str, tuple[tuple[float, float], tuple[float, float]]] = {
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
COMMUNITY = {
    "brand": "brand", "core_fan": "brand", "active_fan": "brand", "bridge": "brand", "amplifier": "brand",
    "tech_kol": "tech", "tech_audience": "tech", "critic_kol": "critic", "critic_follower": "critic",
    "critic": "critic", "media": "media", "ordinary": "general",
}
# Followers per group: (median, lognormal sigma).
FOLLOWERS: dict[str, tuple[float, float]] = {
    "media": (3_000_000, 0.8), "tech_kol": (900_000, 0.9), "core_fan": (600, 1.2), "active_fan": (400, 1.2),
    "bridge": (800, 1.2), "tech_audience": (300, 1.2), "critic_follower": (300, 1.2), "critic": (500, 1.2),
    "amplifier": (40, 0.7), "ordinary": (150, 1.3),
}


