# A machinable module for test/machinable/run.sh. Its defaults differ from
# every config make_store.cc stores, so machinable can only find those
# experiments if the export says how their configs came about.
from machinable import Experiment


class Sim(Experiment):
    class Config:
        steps: int = 10
        lr: float = 0.1
        label: str = "base"
