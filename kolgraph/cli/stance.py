"""The sentiment / stance model commands."""

from __future__ import annotations

from pathlib import Path

import click

from .common import echo_err, handle_errors, is_quiet, main, quiet_option




_STANCE_FORMATS = ["auto", "csv", "tsv", "jsonl", "json", "parquet", "mid-label-text"]


def _labelled_file_options(func):
    """--format, --text-column, --label-column and --target-column, shared by stance evaluate/train."""
    func = click.option("--target-column", default=None, metavar="C",
                        help="Column naming each row's stance target (one sub-model per target).")(func)
    func = click.option("--label-column", default=None, metavar="C",
                        help="Label column (default: first of label, stance, sentiment, polarity).")(func)
    func = click.option("--text-column", default=None, metavar="C",
                        help="Text column (default: first of text, review, content, sentence).")(func)
    func = click.option("--format", "fmt", default="auto", show_default=True, type=click.Choice(_STANCE_FORMATS),
                        help="File format; 'auto' uses the extension and the first line "
                             "(headerless 'mid,label,text' is 'mid-label-text').")(func)
    return func


@main.group("stance")
def stance_group() -> None:
    """The text sentiment / stance model: score texts, evaluate on labelled data, train your own.

    Sentiment is in [-1, 1]: 2 * P(positive) - 1 for a binary model, P(positive) - P(negative)
    for a three-class one. Labels are read as 1/0, -1/0/1, pos/neg/neutral or FAVOR/AGAINST/NONE.

    \b
    Example:
      kolgraph stance score "太棒了[赞]" "worst company ever"
      kolgraph stance evaluate ../shared/data/external/weibo2018/test.txt
    """


@stance_group.command("evaluate")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--stance-model", "model_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Model file written by 'kolgraph stance train' (default: the shipped model).")
@_labelled_file_options
@click.option("--json", "as_json", is_flag=True, help="Print the evaluation as JSON.")
@handle_errors
def stance_evaluate_command(file, model_path, fmt, text_column, label_column, target_column, as_json):
    """Accuracy, macro-F1 and per-label F1 of a sentiment model on a labelled FILE.

    FILE is CSV, TSV, JSONL or Parquet (optionally .gz) with a header, or the headerless
    'mid,label,text' lines of weibo2018 (recognised automatically).

    \b
    Example:
      kolgraph stance evaluate ../shared/data/external/weibo2018/test.txt
      kolgraph stance evaluate labelled.csv --text-column review --label-column label --json
      kolgraph stance evaluate evasampledata4-TaskAA.txt --stance-model stance.npz \\
          --text-column TEXT --label-column STANCE --target-column TARGET
    """
    import json as _json

    from ..models.labelled import evaluate_file

    ev = evaluate_file(file, model=model_path, fmt=fmt, text_column=text_column,
                       label_column=label_column, target_column=target_column)
    if as_json:
        click.echo(_json.dumps(ev.to_dict(), ensure_ascii=False, indent=2))
        return
    click.echo(f"{file}: {ev.n} rows")
    click.echo(f"accuracy  {ev.accuracy:.4f}")
    click.echo(f"macro-F1  {ev.macro_f1:.4f}")
    for name, f1 in ev.per_label_f1.items():
        click.echo(f"F1 {name:<9} {f1:.4f}")
    click.echo("confusion (rows true, columns predicted: " + ", ".join(ev.labels) + ")")
    for name, row in zip(ev.labels, ev.confusion):
        click.echo(f"  {name:<9} " + " ".join(f"{v:>6}" for v in row))


@stance_group.command("train")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("-o", "--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Model file to write (.npz).")
@_labelled_file_options
@click.option("--model-type", "model_type", default="sentiment", show_default=True,
              type=click.Choice(["sentiment", "attitude"]),
              help="'sentiment': sentiment / per-target stance; 'attitude': reply attitude (labels "
                   "support / deny / query / comment), used by analyze with [stance] attitude_model = PATH.")
@click.option("--group-column", default=None, metavar="C",
              help="With --model-type attitude: a column of groups (e.g. events); prints the "
                   "leave-one-group-out AUC of support vs deny and records it in the model.")
@click.option("--seed", default=0, show_default=True, type=click.IntRange(min=0), help="Random seed.")
@quiet_option
@click.pass_context
@handle_errors
def stance_train_command(ctx, file, out, fmt, text_column, label_column, target_column, model_type, group_column,
                         seed):
    """Train a sentiment, stance or reply-attitude model on your labelled FILE and save it to OUT.

    Sentiment: two labels give a binary model, three (e.g. FAVOR/AGAINST/NONE) a three-class one.
    With --target-column, one sub-model is fitted per target (as in NLPCC 2016 stance) plus a
    pooled one for targets it has not seen. Attitude (--model-type attitude): labelled replies,
    support / deny / query / comment (RumourEval style); the model scores P(support) - P(deny).
    Rows with an empty label are skipped.

    \b
    Example:
      kolgraph stance train my_labels.csv -o my_model.npz
      kolgraph stance train evasampledata4-TaskAA.txt -o stance.npz \\
          --text-column TEXT --label-column STANCE --target-column TARGET
      kolgraph stance score --stance-model stance.npz --target IphoneSE "苹果SE真香"
      kolgraph stance train replies.csv -o attitude.npz --model-type attitude \\
          --label-column stance --group-column event
    """
    if model_type == "attitude":
        from ..errors import ConfigError
        from ..models.labelled import train_attitude_file

        if target_column:
            raise ConfigError("--target-column applies to sentiment models, not to --model-type attitude")
        model, loo = train_attitude_file(file, fmt=fmt, text_column=text_column, label_column=label_column,
                                         group_column=group_column, seed=seed)
        model.save(out)
        if loo is not None:
            for row in loo.itertuples():
                echo_err(ctx, f"  held out {row.group}: n={row.n} support={row.support} deny={row.deny} "
                         f"AUC {row.auc:.3f}")
            echo_err(ctx, f"leave-one-{group_column}-out mean AUC (support vs deny): "
                     f"{model.metadata['leave_one_group_out']['mean_auc']:.3f}")
        echo_err(ctx, f"trained on {model.metadata['corpus']}: classes {', '.join(model.classes)}")
        click.echo(str(out))
        return
    if group_column:
        from ..errors import ConfigError

        raise ConfigError("--group-column applies to --model-type attitude")
    from ..models.labelled import train_file

    model = train_file(file, fmt=fmt, text_column=text_column, label_column=label_column,
                       target_column=target_column, seed=seed, quiet=is_quiet(ctx))
    model.save(out)
    meta = model.metadata
    echo_err(ctx, f"trained on {meta['corpus']}: labels {', '.join(model.labels)}; "
             f"{len(model.targets)} target sub-model(s); {meta['n_features']} features")
    click.echo(str(out))


@stance_group.command("score")
@click.argument("texts", nargs=-1, required=True)
@click.option("--stance-model", "model_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Model file written by 'kolgraph stance train' (default: the shipped model).")
@click.option("--target", default=None, help="Stance target, for a per-target model.")
@click.option("--attitude", "attitude", is_flag=True,
              help="Score reply attitude (P(support) - P(deny)) instead of sentiment; with "
                   "--stance-model, a model trained with --model-type attitude.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON records {text, sentiment} (or {text, attitude}).")
@handle_errors
def stance_score_command(texts, model_path, target, attitude, as_json):
    """Score TEXTS: sentiment toward the brand in [-1, 1], one line per text (NaN for an empty text).

    With --attitude: the reply attitude toward what each text answers, P(support) - P(deny).

    \b
    Example:
      kolgraph stance score "太棒了[赞]" "客服太差了[怒]" "love this phone" "worst company ever"
      kolgraph stance score --attitude "this is fake, not true" "confirmed by police"
    """
    import json as _json

    key = "attitude" if attitude else "sentiment"
    if attitude:
        from ..algorithms.attitude import reply_attitude

        scores = reply_attitude(list(texts), model=model_path)
    else:
        from ..algorithms.sentiment import score_texts

        scores = score_texts(list(texts), model=model_path, target=target)
    if as_json:
        rows = [{"text": t, key: None if s != s else round(float(s), 6)} for t, s in zip(texts, scores)]
        click.echo(_json.dumps(rows, ensure_ascii=False, indent=2))
        return
    for t, s in zip(texts, scores):
        click.echo(f"{s:+.3f}\t{t}")


